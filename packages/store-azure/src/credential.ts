/**
 * The token credential the store authenticates with: exactly the one the options ask for, never
 * DefaultAzureCredential's chain (which would try environment variables, the CLI, and the instance
 * metadata service in turn). @azure/identity is imported only when a credential is built from
 * options, so a store handed a credential (tests, embedders) never loads it.
 */
import type { TokenCredential } from "@azure/core-auth";
import { InvalidConfigError } from "@coffer/core";
import type { ParsedAzureStoreOptions } from "./options.js";

/** Throws InvalidConfigError when the options name no way to authenticate. */
export function assertAuthenticationConfigured(options: ParsedAzureStoreOptions): void {
  if (
    options.clientSecret === undefined &&
    options.certificatePath === undefined &&
    !options.managedIdentity
  ) {
    throw new InvalidConfigError("The 'azure' store has no credentials.", {
      hint: "Set clientSecret (with tenantId and clientId), certificatePath (with tenantId and clientId), or managedIdentity=true.",
      details: { type: "azure" },
    });
  }
}

export async function credentialFromOptions(options: ParsedAzureStoreOptions): Promise<TokenCredential> {
  assertAuthenticationConfigured(options);
  const identity = await import("@azure/identity");
  const { tenantId, clientId, clientSecret, certificatePath } = options;
  if (clientSecret !== undefined) {
    return new identity.ClientSecretCredential(tenantId!, clientId!, clientSecret);
  }
  if (certificatePath !== undefined) {
    return new identity.ClientCertificateCredential(tenantId!, clientId!, { certificatePath });
  }
  // A user-assigned identity is chosen by its client id; without one, the system-assigned identity.
  return clientId === undefined
    ? new identity.ManagedIdentityCredential()
    : new identity.ManagedIdentityCredential({ clientId });
}

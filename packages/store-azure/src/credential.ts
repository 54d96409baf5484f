/**
 * The token credential the store authenticates with: exactly the one the options ask for, never
 * DefaultAzureCredential's chain (which would try environment variables, the CLI, and the instance
 * metadata service in turn). @azure/identity is imported only when a credential is built from
 * options, so a store handed a credential (tests, embedders) never loads it.
 */
import { readFileSync } from "node:fs";
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

/** `tlsCa` is PEM text or the path of a PEM file. */
export function readTlsCa(tlsCa: string): string {
  if (tlsCa.includes("-----BEGIN")) return tlsCa;
  try {
    return readFileSync(tlsCa, "utf8");
  } catch (error) {
    throw new InvalidConfigError(
      `The 'azure' store's tlsCa file ${tlsCa} cannot be read (${(error as NodeJS.ErrnoException).code}).`,
      {
        hint: "Give tlsCa as PEM text or the path of a readable PEM file.",
        details: { type: "azure", file: tlsCa },
      },
    );
  }
}

/**
 * The token credential the key source authenticates with: exactly the one the options ask for,
 * never DefaultAzureCredential's chain (environment variables, the CLI, the instance metadata
 * service in turn). @azure/identity is imported only when a credential is built from options, so
 * a key source handed a credential (tests, embedders) never loads it.
 */
import type { TokenCredential } from "@azure/core-auth";
import { InvalidConfigError } from "@coffer/core";
import type { AzureKeysOptions } from "./options.js";

export async function credentialFromOptions(options: AzureKeysOptions): Promise<TokenCredential> {
  const { tenantId, clientId, clientSecret, certificatePath, managedIdentity } = options;
  if (clientSecret === undefined && certificatePath === undefined && !managedIdentity) {
    throw new InvalidConfigError("The azure-keys key source has no credentials.", {
      hint: "Set kms.clientSecret (with tenantId and clientId), kms.certificatePath (with tenantId and clientId), or kms.managedIdentity=true in COFFER_STORE_KMS.",
      details: { keySource: "azure-keys" },
    });
  }
  const identity = await import("@azure/identity");
  if (clientSecret !== undefined)
    return new identity.ClientSecretCredential(tenantId!, clientId!, clientSecret);
  if (certificatePath !== undefined) {
    return new identity.ClientCertificateCredential(tenantId!, clientId!, { certificatePath });
  }
  // A user-assigned identity is chosen by its client id; without one, the system-assigned identity.
  return clientId === undefined
    ? new identity.ManagedIdentityCredential()
    : new identity.ManagedIdentityCredential({ clientId });
}

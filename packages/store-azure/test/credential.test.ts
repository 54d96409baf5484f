// Which credential the options select. Only constructed here, never asked for a token: a real
// @azure/identity credential would talk to Entra ID or the instance metadata service.
import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
} from "@azure/identity";
import { InvalidConfigError } from "@coffer/core";
import { describe, expect, it } from "vitest";
import { credentialFromOptions } from "../src/credential.js";
import { azureStoreOptions } from "../src/index.js";

const vaultUrl = "https://example.vault.azure.net";
const tenant = {
  tenantId: "00000000-0000-0000-0000-000000000000",
  clientId: "11111111-1111-1111-1111-111111111111",
};

describe("credentials from options", () => {
  it("a client secret selects ClientSecretCredential", async () => {
    const options = azureStoreOptions.parse({ vaultUrl, ...tenant, clientSecret: "not-a-real-secret" });
    expect(await credentialFromOptions(options)).toBeInstanceOf(ClientSecretCredential);
  });

  it("a certificate path selects ClientCertificateCredential", async () => {
    const options = azureStoreOptions.parse({ vaultUrl, ...tenant, certificatePath: "/nonexistent/sp.pem" });
    expect(await credentialFromOptions(options)).toBeInstanceOf(ClientCertificateCredential);
  });

  it("managedIdentity selects ManagedIdentityCredential, and nothing at all is refused", async () => {
    const options = azureStoreOptions.parse({ vaultUrl, managedIdentity: true });
    expect(await credentialFromOptions(options)).toBeInstanceOf(ManagedIdentityCredential);
    await expect(credentialFromOptions(azureStoreOptions.parse({ vaultUrl }))).rejects.toBeInstanceOf(
      InvalidConfigError,
    );
  });

  it("tlsCa is PEM text, or @file that must be readable", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nnot-a-real-certificate\n-----END CERTIFICATE-----\n";
    expect(azureStoreOptions.parse({ vaultUrl, managedIdentity: true, tlsCa: pem }).tlsCa).toBe(pem);
    expect(() =>
      azureStoreOptions.parse({ vaultUrl, managedIdentity: true, tlsCa: "@/nonexistent/ca.pem" }),
    ).toThrow(InvalidConfigError);
  });
});

// Key Vault's error shape: HTTP status plus {"error":{"code","message","innererror"?:{"code"}}}.
// @azure/keyvault-secrets turns it into a RestError with statusCode, code and message as sent.

export class KeyVaultError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly innerCode?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "KeyVaultError";
  }

  body(): object {
    const error: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.innerCode) error.innererror = { code: this.innerCode };
    return { error };
  }
}

export const badParameter = (message: string) => new KeyVaultError(400, "BadParameter", message);

/** The service's code here is a phrase, spaces included. */
export const malformedBackup = () =>
  new KeyVaultError(400, "Malformed backup blob", "Backup blob contains invalid or corrupt version.");

const HELP = "For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182";

export const secretNotFound = (nameOrId: string) =>
  new KeyVaultError(
    404,
    "SecretNotFound",
    `A secret with (name/id) ${nameOrId} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. ${HELP}`,
  );

export const deletedSecretNotFound = (name: string) =>
  new KeyVaultError(404, "SecretNotFound", `Deleted Secret not found: ${name}`);

export const secretDisabled = () =>
  new KeyVaultError(403, "Forbidden", "Operation get is not allowed on a disabled secret.", "SecretDisabled");

export const deletedButRecoverable = (name: string) =>
  new KeyVaultError(
    409,
    "Conflict",
    `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
    "ObjectIsDeletedButRecoverable",
  );

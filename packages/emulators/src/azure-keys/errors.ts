// The errors Key Vault's keys API answers with, in the shape the secrets API uses (and the same
// class, so both emulators serialise errors one way): {"error":{"code","message","innererror"}}.
// Wording follows the service's own messages as the REST reference and SDK issues quote them.
import { KeyVaultError } from "../azure/errors.js";

export { badParameter, KeyVaultError } from "../azure/errors.js";

const HELP = "For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182";

export const keyNotFound = (nameOrId: string) =>
  new KeyVaultError(
    404,
    "KeyNotFound",
    `A key with (name/id) ${nameOrId} was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. ${HELP}`,
  );

export const deletedKeyNotFound = (name: string) =>
  new KeyVaultError(404, "KeyNotFound", `Deleted Key not found: ${name}`);

/** An operation on a disabled key (or version): refused, never "not found". */
export const keyDisabled = (operation: string) =>
  new KeyVaultError(
    403,
    "Forbidden",
    `Operation ${operation} is not allowed on a disabled key.`,
    "KeyDisabled",
  );

/** A key whose key_ops does not list the operation. */
export const operationForbidden = (operation: string) =>
  new KeyVaultError(
    403,
    "Forbidden",
    `Operation ${operation} is not permitted on this key.`,
    "KeyOperationForbidden",
  );

/** What the service says when RSA decryption fails (wrong key, altered or foreign ciphertext). */
export const decryptionFailed = () =>
  new KeyVaultError(400, "BadParameter", "The parameter is incorrect.\r\n");

export const deletedButRecoverable = (name: string) =>
  new KeyVaultError(
    409,
    "Conflict",
    `Key ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.`,
    "ObjectIsDeletedButRecoverable",
  );

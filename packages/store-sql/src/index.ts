/** The `sql` store package: its registration (the default export, the default store) and what tests and tools use. */

import type { StoreContext } from "@coffer/core";
import { defineBackend } from "@coffer/store-kit";
import type { KeySourceLoaders } from "./kek.js";
import { type ParsedSqlStoreOptions, sqlStoreOptions } from "./options.js";
import { SqlStore } from "./sql-store.js";

export {
  isKeyRotatingStore,
  type KeyRotatingStore,
  type KeyStatus,
  type RetireKeysResult,
  type RotateKeyOptions,
  type RotateKeyResult,
  type RotationProgress,
} from "@coffer/core";
export { fingerprintKeyId, generateKey, KEY_ID } from "@coffer/sql";
export { DataKeyCache, type DataKeyCacheOptions, wrapContext } from "./data-key-cache.js";
export { FORMAT, LEGACY_FORMAT } from "./envelope.js";
export {
  defineKeySource,
  type KeyEncryptionKey,
  type KeySourceContext,
  type KeySourceLoaders,
  type KeySourceRegistration,
  type WrapContext,
  type WrappedKey,
} from "./kek.js";
export type { RewrapResult } from "./kms-key-source.js";
export {
  BATCH_GET_MAX,
  DEFAULT_DATA_KEY_CACHE_MAX,
  DEFAULT_DATA_KEY_TTL_MS,
  DEFAULT_MAX_VALUE_BYTES,
  KEYRING_SOURCE,
  MAX_MAX_VALUE_BYTES,
  type SqlStoreOptions,
  sqlStoreOptions,
} from "./options.js";
export { DATA_KEYS_TABLE, MIGRATIONS_TABLE, REVISIONS_TABLE, VALUES_TABLE } from "./schema.js";
export { KEYRING_FILE_NAME, SqlStore } from "./sql-store.js";

/**
 * The registration of a sql store that may take its keys from the KMS key sources in `keySources`
 * (`COFFER_STORE_KEY_SOURCE=aws-kms`). Each is loaded only when chosen, so this package never
 * imports a cloud SDK; `@coffer/stores` passes the built-in ones.
 */
export function sqlStoreWithKeySources(keySources: KeySourceLoaders) {
  return defineBackend({
    type: "sql",
    description:
      "Values encrypted (AES-256-GCM, rotatable keyring or KMS-wrapped data keys) in SQLite, PostgreSQL or MySQL; by default the metadata database.",
    optionsSchema: sqlStoreOptions,
    // `kms` may hold a token (Vault) or credentials: never printed, and may be given as @/path.
    sensitiveOptions: ["url", "encryptionKey", "keyring", "kms"],
    store: class extends SqlStore {
      constructor(options: ParsedSqlStoreOptions, context: StoreContext) {
        super(options, context, keySources);
      }
    },
  });
}

/** The registration: `COFFER_STORE_TYPE=sql`, the default; keys from a keyring only. */
export const sqlStore = sqlStoreWithKeySources({});

export default sqlStore;

/** The `sql` store package: its registration (the default export, the default store) and what tests and tools use. */
import { defineBackend } from "@coffer/store-kit";
import { sqlStoreOptions } from "./options.js";
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
export { FORMAT, LEGACY_FORMAT } from "./envelope.js";
export {
  BATCH_GET_MAX,
  DEFAULT_MAX_VALUE_BYTES,
  MAX_MAX_VALUE_BYTES,
  type SqlStoreOptions,
  sqlStoreOptions,
} from "./options.js";
export { MIGRATIONS_TABLE, REVISIONS_TABLE, VALUES_TABLE } from "./schema.js";
export { KEYRING_FILE_NAME, SqlStore } from "./sql-store.js";

/** The registration: `COFFER_STORE_TYPE=sql`, the default. */
export const sqlStore = defineBackend({
  type: "sql",
  description:
    "Values encrypted (AES-256-GCM, rotatable keyring) in SQLite, PostgreSQL or MySQL; by default the metadata database.",
  optionsSchema: sqlStoreOptions,
  sensitiveOptions: ["url", "encryptionKey", "keyring"],
  store: SqlStore,
});

export default sqlStore;

/**
 * The public surface of @coffer/sql: opening databases, mapping driver errors, AES keyrings and
 * migrations — shared by the metadata database (@coffer/service) and the sql store.
 */
export { withAdvisoryLock } from "./advisory-lock.js";
export {
  type Database,
  type Dialect,
  openDatabase,
  type ParsedDatabaseUrl,
  parseDatabaseUrl,
} from "./database.js";
export { classifyDatabaseError, isUniqueViolation, rethrowDatabaseError } from "./errors.js";
export {
  decodeKey,
  fingerprintKeyId,
  generateKey,
  KEY_BYTES,
  KEY_ID,
  Keyring,
  type KeyringJson,
  keyProblem,
  parseKeyring,
} from "./keyring.js";
export { KeyringFile } from "./keyring-file.js";
export type { Listening, ListenOptions } from "./pg-listen.js";
export { type ColumnTypes, columnTypes, type MigrationStep, migrate } from "./schema.js";
export { openSqlite } from "./sqlite.js";

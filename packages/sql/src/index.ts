export {
  type Database,
  type Dialect,
  openDatabase,
  type ParsedDatabaseUrl,
  parseDatabaseUrl,
} from "./database.js";
export { classifyDatabaseError, isUniqueViolation, rethrowDatabaseError } from "./errors.js";
export { type ColumnTypes, columnTypes, type MigrationStep, migrate } from "./schema.js";
export { openSqlite } from "./sqlite.js";

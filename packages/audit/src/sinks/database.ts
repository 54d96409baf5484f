/**
 * The metadata database as an audit sink (the default): one row per record in `coffer_audit_log`,
 * with its own migrations table (`coffer_audit_migrations`), so the audit schema evolves apart from
 * the service's and the server's. The row holds the canonical record (what verify checks) plus
 * copies of the fields `list` filters on, as indexed columns; verify also checks that those copies
 * agree with the record, so editing a column alone is caught too.
 *
 * `seq` is the primary key: two processes that share the database and both try to write record n
 * cannot both succeed. The loser hears ChainMoved and the trail continues from the new head.
 */
import {
  type Database,
  isUniqueViolation,
  type MigrationStep,
  migrate,
  rethrowDatabaseError,
} from "@coffer/sql";
import { canonical } from "../chain.js";
import type { AuditRecord } from "../record.js";
import { type AuditFilter, listLimit, type ReadableAuditSink, type StoredRecord } from "./sink.js";

export const AUDIT_MIGRATIONS_TABLE = "coffer_audit_migrations";
export const AUDIT_TABLE = "coffer_audit_log";

interface AuditRow {
  seq: number | string;
  time: number | string;
  action: string;
  actor_id: string;
  actor_name: string | null;
  outcome: string;
  secret_id: string | null;
  secret_name: string | null;
  checkpoint: number | string;
  record: string;
}

export const auditMigrations: Record<string, MigrationStep> = {
  async "0001_audit_log"(db, t) {
    await db.schema
      .createTable(AUDIT_TABLE)
      .addColumn("seq", t.timestamp, (c) => c.primaryKey())
      .addColumn("time", t.timestamp, (c) => c.notNull())
      .addColumn("action", t.key, (c) => c.notNull())
      .addColumn("actor_id", t.key, (c) => c.notNull())
      .addColumn("actor_name", t.name)
      .addColumn("outcome", t.key, (c) => c.notNull())
      .addColumn("secret_id", t.key)
      .addColumn("secret_name", t.name)
      .addColumn("checkpoint", t.flag, (c) => c.notNull())
      .addColumn("record", t.longText, (c) => c.notNull())
      .execute();
    await db.schema.createIndex("coffer_audit_log_time").on(AUDIT_TABLE).columns(["time"]).execute();
  },
};

/** Another process wrote the record this one meant to write next; continue from the new head. */
export class ChainMoved extends Error {}

export class DatabaseSink implements ReadableAuditSink {
  readonly kind = "database" as const;
  readonly location: string;

  private constructor(private readonly database: Database) {
    this.location = database.location;
  }

  static async open(database: Database): Promise<DatabaseSink> {
    await migrate(database, AUDIT_MIGRATIONS_TABLE, auditMigrations);
    return new DatabaseSink(database);
  }

  /** One insert for the batch: all its rows or none. */
  async write(records: readonly AuditRecord[]): Promise<void> {
    try {
      await this.database.db.insertInto(AUDIT_TABLE).values(records.map(toRow)).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new ChainMoved(`audit record ${records[0]?.seq} exists`);
      rethrowDatabaseError(error, this.database.location);
    }
  }

  /** The database handle belongs to whoever opened it. */
  async close(): Promise<void> {}

  async head(): Promise<{ seq: number; hash: string } | undefined> {
    const row = (await this.database.db
      .selectFrom(AUDIT_TABLE)
      .select(["record"])
      .orderBy("seq", "desc")
      .limit(1)
      .executeTakeFirst()) as Pick<AuditRow, "record"> | undefined;
    if (!row) return undefined;
    const record = JSON.parse(row.record) as AuditRecord;
    return { seq: record.seq, hash: record.hash };
  }

  async list(filter: AuditFilter): Promise<AuditRecord[]> {
    let query = this.database.db.selectFrom(AUDIT_TABLE).select(["record"]);
    if (filter.actor !== undefined) {
      const actor = filter.actor;
      query = query.where((eb) => eb.or([eb("actor_id", "=", actor), eb("actor_name", "=", actor)]));
    }
    if (filter.secret !== undefined) {
      const secret = filter.secret;
      query = query.where((eb) => eb.or([eb("secret_name", "=", secret), eb("secret_id", "=", secret)]));
    }
    if (filter.action !== undefined) query = query.where("action", "=", filter.action);
    if (filter.outcome !== undefined) query = query.where("outcome", "=", filter.outcome);
    if (filter.since !== undefined) query = query.where("time", ">=", filter.since);
    if (filter.until !== undefined) query = query.where("time", "<=", filter.until);
    const rows = (await query.orderBy("seq", "desc").limit(listLimit(filter)).execute()) as Array<
      Pick<AuditRow, "record">
    >;
    return rows.map((row) => JSON.parse(row.record) as AuditRecord);
  }

  async readAll(): Promise<StoredRecord[]> {
    const rows = (await this.database.db
      .selectFrom(AUDIT_TABLE)
      .selectAll()
      .orderBy("seq", "asc")
      .execute()) as AuditRow[];
    return rows.map((row) => {
      const where = `row seq ${Number(row.seq)}`;
      let record: AuditRecord;
      try {
        record = JSON.parse(row.record) as AuditRecord;
      } catch {
        return {
          record: { ...placeholder(), seq: Number(row.seq) },
          where,
          mismatch: "its record is not JSON",
        };
      }
      const mismatch = columnMismatch(row, record);
      return mismatch ? { record, where, mismatch } : { record, where };
    });
  }

  async pruneBefore(seq: number): Promise<number> {
    const result = await this.database.db.deleteFrom(AUDIT_TABLE).where("seq", "<", seq).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async lastCheckpointBefore(time: number): Promise<number | undefined> {
    const row = (await this.database.db
      .selectFrom(AUDIT_TABLE)
      .select(["seq"])
      .where("checkpoint", "=", 1)
      .where("time", "<", time)
      .orderBy("seq", "desc")
      .limit(1)
      .executeTakeFirst()) as Pick<AuditRow, "seq"> | undefined;
    return row ? Number(row.seq) : undefined;
  }
}

function toRow(record: AuditRecord): AuditRow {
  return {
    seq: record.seq,
    time: record.time,
    action: record.action,
    actor_id: record.actor.id,
    actor_name: record.actor.name ?? null,
    outcome: record.outcome,
    secret_id: record.target?.secretId ?? null,
    secret_name: record.target?.name ?? null,
    checkpoint: record.mac ? 1 : 0,
    record: canonical(record),
  };
}

/** Which indexed column disagrees with the record it sits beside (seq is verify's own check). */
function columnMismatch(row: AuditRow, record: AuditRecord): string | undefined {
  const expected = toRow(record);
  for (const column of [
    "time",
    "action",
    "actor_id",
    "actor_name",
    "outcome",
    "secret_id",
    "secret_name",
    "checkpoint",
  ] as const) {
    const stored = row[column];
    const wanted = expected[column];
    const same =
      typeof wanted === "number" ? Number(stored) === wanted : (stored ?? null) === (wanted ?? null);
    if (!same) return `its ${column} column does not match its record`;
  }
  return undefined;
}

function placeholder(): AuditRecord {
  return {
    seq: -1,
    time: 0,
    action: "audit.read",
    actor: { id: "" },
    origin: { kind: "server" },
    outcome: "",
    prev: "",
    hash: "",
  };
}

/**
 * The server the access matrix runs against, started the way operators start it (startServer from
 * COFFER_* settings): the sql store over a real SQLite file with its self-managed keyring, so that
 * rotate-key really rotates, and a memory store as the backup, so that copy-values really copies.
 * With a store where those operations answer 501, a non-admin who got past a missing permission
 * check would change nothing, and the matrix could not tell.
 *
 * `world()` reads back everything a request could have written — every table of the metadata
 * database (secrets, values, users, tokens), the keyring as the admin sees it, and the backup's
 * copy of one secret — so a test can assert that a refused request changed nothing at all.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { MirroredStore } from "@coffer/service";
import { type Database, openDatabase } from "@coffer/sql";
import { sql } from "kysely";
import { type RunningServer, startServer } from "../src/index.js";
import { call, type TestServer } from "./helpers.js";

export interface MatrixServer extends TestServer {
  running: RunningServer;
  /** The metadata database the server uses (the same shared handle). */
  database: Database;
  /** The store the mirrored writes go to besides the primary. */
  backup: MirroredStore["backup"];
}

export async function startMatrixServer(): Promise<MatrixServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "coffer-matrix-"));
  const databaseUrl = `sqlite://${path.join(dataDir, "coffer.db")}`;
  const running = await startServer({
    env: {
      COFFER_DATA_DIR: dataDir,
      COFFER_DATABASE_URL: databaseUrl,
      COFFER_LOG_LEVEL: "silent",
      COFFER_STORE_TYPE: "sql",
      COFFER_BACKUP_STORE_TYPE: "memory",
    },
    // The matrix sends thousands of requests with a bad token from one address: the failed-auth
    // limit (tested in auth-hygiene.test.ts) would answer 429 to most of them.
    settings: { port: 0, authFailureLimit: 0 },
    log: false,
  });
  const store = running.service.store;
  if (!(store instanceof MirroredStore)) throw new Error("the matrix server should have a backup store");
  if (!running.bootstrapToken) throw new Error("the matrix server should have made a bootstrap token");
  const database = openDatabase(databaseUrl);
  // The first list of a deployment makes its cursor-signing key (a row the service writes once);
  // list once here so that no cell's read is mistaken for a write.
  const warmUp = await fetch(`${running.url}/api/v1/secrets`, {
    headers: { authorization: `Bearer ${running.bootstrapToken.token}` },
  });
  if (warmUp.status !== 200) throw new Error(`the matrix server's first list answered ${warmUp.status}`);
  return {
    url: running.url,
    adminToken: running.bootstrapToken.token,
    identity: running.identity,
    running,
    database,
    backup: store.backup,
    async user(name, role) {
      await running.identity.createUser(name, role);
      return (await running.identity.issueToken(name)).token;
    },
    async close() {
      await running.close();
      await database.close();
    },
  };
}

/** Everything stored, as sorted JSON lines per place, for comparing before and after a request. */
export type World = Record<string, string[]>;

export async function world(server: MatrixServer, secretId: string): Promise<World> {
  const db = server.database.db;
  const tables = await sql<{ name: string }>`
    select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name
  `.execute(db);
  const result: World = {};
  for (const { name } of tables.rows) {
    // The audit log records every request, allowed or refused: that is its job, not a change.
    if (name.startsWith("coffer_audit_")) continue;
    const rows = await db.selectFrom(name).selectAll().execute();
    result[`table ${name}`] = rows.map((row) => JSON.stringify(row, plainJson)).sort();
  }
  const store = await call(server, server.adminToken, "GET", "/api/v1/store");
  const keys = (store.body as { store?: { keys?: unknown } }).store?.keys;
  result["keyring (as the admin sees it)"] = [`${store.status} ${JSON.stringify(keys)}`];
  const backup = await server.backup.getMany([secretId]);
  result["backup copy"] = [JSON.stringify(backup.get(secretId) ?? null)];
  return result;
}

/**
 * What differs between two worlds, one line per added or removed row (the first 20 of them, then
 * a count); empty when nothing did.
 */
export function changes(before: World, after: World): string[] {
  const lines: string[] = [];
  for (const place of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = new Set(before[place] ?? []);
    const is = new Set(after[place] ?? []);
    for (const row of was) if (!is.has(row)) lines.push(`${place}: - ${row.slice(0, 300)}`);
    for (const row of is) if (!was.has(row)) lines.push(`${place}: + ${row.slice(0, 300)}`);
  }
  return lines.length > 20 ? [...lines.slice(0, 20), `… and ${lines.length - 20} more`] : lines;
}

function plainJson(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  return value;
}

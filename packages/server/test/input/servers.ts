/**
 * A real server over a chosen metadata database (SQLite file, PostgreSQL or MySQL from testkit),
 * with what the input tests need to look underneath it: the memory store holding the values and
 * the database, for state snapshots.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { silentLogger } from "@coffer/core";
import { createService } from "@coffer/service";
import { type Database, openDatabase } from "@coffer/sql";
import { MemoryStore } from "@coffer/store-memory";
import { startMysql, startPostgres, type TestDatabase } from "@coffer/testkit";
import { describeWith } from "@coffer/testkit/vitest";
import { sql } from "kysely";
import { buildApp, IdentityStore, type Role } from "../../src/index.js";
import type { TestServer } from "../helpers.js";

export type Dialect = "sqlite" | "postgres" | "mysql";
export const DIALECTS: readonly Dialect[] = ["sqlite", "postgres", "mysql"];

export interface InputTestServer extends TestServer {
  dialect: Dialect;
  /** Everything a request could have written: metadata rows, users, tokens and stored values. */
  snapshot(): Promise<string>;
}

export async function startServerOn(dialect: Dialect, databaseUrl: string): Promise<InputTestServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "coffer-server-input-"));
  const store = new MemoryStore({ maxValueBytes: 4096 });
  const service = await createService({
    databaseUrl,
    dataDir: dir,
    store: () => store,
    logger: silentLogger,
  });
  const database = openDatabase(databaseUrl);
  const identity = await IdentityStore.open(database);
  const bootstrap = await identity.bootstrap("admin");
  // The fuzz sends hundreds of bad tokens from one address; with the failed-auth limit on, every
  // later request would be a 429 and nothing else would be fuzzed (auth-hygiene.test.ts tests it).
  const app = await buildApp({ service, identity, authFailureLimit: 0 });
  const address = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    dialect,
    url: address,
    adminToken: bootstrap!.token,
    identity,
    async user(name: string, role: Role) {
      await identity.createUser(name, role);
      return (await identity.issueToken(name)).token;
    },
    snapshot: () => snapshot(database, store),
    async close() {
      await app.close();
      await service.close();
      await database.close();
    },
  };
}

async function snapshot(database: Database, store: MemoryStore): Promise<string> {
  const rows = async (query: string) => (await sql.raw(query).execute(database.db)).rows;
  const secrets = (await rows(
    "select id, name, owner, private, version, state, " +
      (database.dialect === "mysql" ? "`keys`" : '"keys"') +
      " from coffer_secrets order by id",
  )) as Array<{ id: string }>;
  const users = await rows("select name, role from coffer_users order by name");
  const tokens = await rows(
    "select id, user_name, description, expires_at, revoked_at from coffer_tokens order by id",
  );
  const values: Array<[string, unknown]> = [];
  for (let i = 0; i < secrets.length; i += 20) {
    const found = await store.getMany(secrets.slice(i, i + 20).map((row) => row.id));
    for (const [id, each] of found) values.push([id, Object.entries(each)]);
  }
  return JSON.stringify({
    secrets: secrets.map((row) => normalize(row)),
    users,
    tokens: tokens.map((row) => normalize(row)),
    values: values.sort(([a], [b]) => a.localeCompare(b)),
  });
}

/** Drivers differ in number types (bigint as string on PostgreSQL): compare as text. */
function normalize(row: unknown): Record<string, string | null> {
  return Object.fromEntries(
    Object.entries(row as Record<string, unknown>).map(([key, value]) => [
      key,
      value === null ? null : String(value),
    ]),
  );
}

/**
 * Runs `body` once per database: SQLite always, PostgreSQL and MySQL from testkit (skipped with
 * a note without Docker, failing under COFFER_TEST_REQUIRE_DOCKER=1).
 */
export function describeOnEachDatabase(body: (dialect: Dialect, get: () => InputTestServer) => void): void {
  describeWith(
    "sqlite",
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "coffer-server-input-"));
      const server = await startServerOn("sqlite", `sqlite://${path.join(dir, "coffer.db")}`);
      return Object.assign(server, { stop: () => server.close() });
    },
    (get) => body("sqlite", get),
  );
  for (const dialect of ["postgres", "mysql"] as const) {
    describeWith(
      dialect,
      async () => {
        const database: TestDatabase = dialect === "postgres" ? await startPostgres() : await startMysql();
        try {
          const server = await startServerOn(dialect, database.url);
          return Object.assign(server, {
            stop: async () => {
              await server.close();
              await database.stop();
            },
          });
        } catch (error) {
          await database.stop();
          throw error;
        }
      },
      (get) => body(dialect, get),
    );
  }
}

import pg from "pg";
import { afterAll, describe, expect, test } from "vitest";
import { dockerStatus, startPostgres, type TestDatabase } from "../src/index.js";
import { describeWithDatabase } from "../src/vitest.js";

async function roundTrip(url: string): Promise<{ value: string; version: string }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("CREATE TABLE items (id serial PRIMARY KEY, value text NOT NULL)");
    await client.query("INSERT INTO items (value) VALUES ($1)", ["fake-password-1"]);
    const { rows } = await client.query<{ value: string }>("SELECT value FROM items");
    const version = await client.query<{ server_version: string }>("SHOW server_version");
    return { value: rows[0]!.value, version: version.rows[0]!.server_version };
  } finally {
    await client.end();
  }
}

describeWithDatabase("postgres", (getDb) => {
  test("runs queries on a real server, started the way Docker availability dictates", async () => {
    const db = getDb();
    expect(db.dialect).toBe("postgres");
    const docker = await dockerStatus();
    if (docker.available) {
      expect(db.via).toBe("testcontainers");
      expect(db.image).toBe(process.env.COFFER_TEST_POSTGRES_IMAGE ?? "postgres:17");
    } else {
      expect(db.via).toBe("embedded");
    }
    const result = await roundTrip(db.url);
    expect(result.value).toBe("fake-password-1");
    expect(result.version).toMatch(/^\d+\.\d+/);
  });
});

// The no-Docker fallback, run directly so that it is exercised on machines with Docker too.
describe("embedded postgres", () => {
  let db: TestDatabase | undefined;
  afterAll(async () => {
    await db?.stop();
  });

  test("starts a real server on 127.0.0.1 and removes it on stop", async () => {
    db = await startPostgres({ via: "embedded" });
    expect(db.via).toBe("embedded");
    expect(db.image).toBeUndefined();
    const url = new URL(db.url);
    expect(url.hostname).toBe("127.0.0.1");
    const result = await roundTrip(db.url);
    expect(result.value).toBe("fake-password-1");

    await db.stop();
    await db.stop(); // a second stop is harmless
    const client = new pg.Client({ connectionString: db.url, connectionTimeoutMillis: 2000 });
    await expect(client.connect()).rejects.toThrow();
  });
});

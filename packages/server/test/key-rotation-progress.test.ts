// GET /api/v1/store's key status for admins counts the stored values and those under the active
// key, so that a rotation's progress can be read while it runs (the dashboard polls it). Read here
// between the batches of a real rotation on the sql store (SQLite).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningServer, startServer } from "../src/index.js";
import { asTestServer, call, type TestServer } from "./helpers.js";

const SECRETS = 12;
let running: RunningServer;
let server: TestServer;

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "coffer-rotation-progress-"));
  running = await startServer({
    env: {
      COFFER_DATA_DIR: dataDir,
      COFFER_DATABASE_URL: `sqlite://${path.join(dataDir, "coffer.db")}`,
      COFFER_LOG_LEVEL: "silent",
      COFFER_STORE_TYPE: "sql",
    },
    settings: { port: 0, authFailureLimit: 0 },
  });
  server = asTestServer(running);
  for (let i = 0; i < SECRETS; i++) {
    const created = await call(server, server.adminToken, "POST", "/api/v1/secrets", {
      name: `rotation-${i}`,
      values: { k: `fake-rotation-${i}` },
    });
    expect(created.status).toBe(201);
  }
});
afterAll(async () => {
  await running?.close();
});

interface Keys {
  activeKeyId: string;
  rows: number;
  rowsOnActiveKey: number;
}
const keysNow = async (token: string) =>
  ((await call(server, token, "GET", "/api/v1/store")).body as { store: { keys?: Keys } }).store.keys;

it("counts the values under the active key before, during and after a rotation; admins only", async () => {
  const before = await keysNow(server.adminToken);
  expect(before).toMatchObject({ rows: SECRETS, rowsOnActiveKey: SECRETS });
  expect(await keysNow(await server.user("rotation-reader", "reader"))).toBeUndefined();

  const seen: Keys[] = [];
  const report = await running.service.rotateKey({
    batchSize: 5,
    onBatch: async () => {
      seen.push((await keysNow(server.adminToken))!);
    },
  });
  expect(report.reencrypted).toBe(SECRETS);
  // After each batch of 5: a new active key, and 5, 10, then all 12 values under it.
  expect(seen.map((keys) => keys.rowsOnActiveKey)).toEqual([5, 10, 12]);
  for (const keys of seen) {
    expect(keys.activeKeyId).not.toBe(before!.activeKeyId);
    expect(keys.rows).toBe(SECRETS);
  }
  expect(await keysNow(server.adminToken)).toMatchObject({ rows: SECRETS, rowsOnActiveKey: SECRETS });
});

// The example's own test (node:test, no test framework to install): the coffer command installed
// from its tarball creates the secret, and the program and its module read it, on a throw-away
// data directory.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createClient, SecretNotFoundError } from "@coffer/client";
import { databaseSettings } from "../src/settings.ts";

const app = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dataDir = mkdtempSync(path.join(tmpdir(), "coffer-example-app-"));
const env = { ...process.env, COFFER_DATA_DIR: dataDir, COFFER_USER: "example" };
const coffer = (...args: string[]) =>
  execFileSync(path.join(app, "node_modules", ".bin", "coffer"), args, { env, encoding: "utf8" });
const main = () => spawnSync(process.execPath, [path.join(app, "src", "main.ts")], { env, encoding: "utf8" });

before(() => {
  process.env.COFFER_DATA_DIR = dataDir;
  process.env.COFFER_USER = "example";
});
after(() => {
  delete process.env.COFFER_DATA_DIR;
});

test("the program says what is missing when there is no secret db (exit 3)", () => {
  const result = main();
  assert.equal(result.status, 3);
  assert.match(result.stderr, /db/);
  assert.equal(result.stdout, "");
});

test("the installed coffer command creates the secret the program reads", () => {
  coffer(
    "secret",
    "create",
    "db",
    "--host=db.internal",
    "--username=app",
    "--password=fake-password-1",
    "--port=5433",
  );
  const result = main();
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, "connecting to db.internal:5433 as app (password: 15 characters)\n");
  assert.doesNotMatch(result.stdout, /fake-password-1/);
});

test("databaseSettings() reads through a client of the caller's, as typed errors", async () => {
  await using client = createClient({ env: { COFFER_DATA_DIR: dataDir }, user: "example" });
  assert.deepEqual(await databaseSettings(client), {
    host: "db.internal",
    port: 5433,
    username: "app",
    password: "fake-password-1",
  });
  await assert.rejects(client.getSecret("no-such-secret"), SecretNotFoundError);
});

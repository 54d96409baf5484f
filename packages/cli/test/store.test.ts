// store info, store rotate-key and reconcile on the embedded store; a custom store plugin.
import { randomBytes } from "node:crypto";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { session, tempDir } from "./helpers.js";

describe("store info", () => {
  it("says which store, where, and that it answers", () => {
    const s = session();
    const text = s.ok(["store", "info"]);
    expect(text).toMatch(/^store +sql — /m);
    expect(text).toMatch(/^values in +.*coffer\.db/m);
    expect(text).toMatch(/^health +ready \(/m);
    expect(text).toMatch(/^key rotation +yes/m);
    expect(text).toMatch(/^user +alice$/m);
    expect(text).toMatch(/status: ready\n$/);
    const info = JSON.parse(s.ok(["store", "info", "--json"]));
    expect(info).toMatchObject({
      mode: "local",
      user: "alice",
      status: "ready",
      dataDir: s.dataDir,
      store: { type: "sql", keyRotation: true, health: { status: "ready" } },
      metadata: { location: `sqlite://${path.join(s.dataDir, "coffer.db")}`, status: "ready" },
    });
  });

  it("a configuration mistake is exit 6 with the variable and the fix", () => {
    const s = session({ COFFER_STORE_TYPE: "sqll" });
    const result = s.run(["store", "info"]);
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(
      /^error: COFFER_STORE_TYPE is 'sqll', which is not a store type\. Use one of: .*Did you mean sql\?\n$/,
    );
  });

  it("a database that cannot be opened is exit 7 (backend unavailable)", () => {
    const notADirectory = path.join(tempDir(), "file");
    writeFileSync(notADirectory, "");
    const s = session({ COFFER_DATABASE_URL: `sqlite://${path.join(notADirectory, "coffer.db")}` });
    const result = s.run(["store", "info"]);
    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(
      /^error: The SQLite database .*file\/coffer\.db cannot be opened \(.*\)\. Check that its directory/,
    );
    expect(result.stderr.split("\n")).toHaveLength(2);
  });
});

describe("--config", () => {
  it("reads a Coffer YAML file: its store, and its secrets: section for coffer run", () => {
    const dir = tempDir();
    const file = path.join(dir, "coffer.yaml");
    writeFileSync(file, "store:\n  type: memory\nsecrets:\n  db:\n    password: fake-from-file\n");
    const s = session();
    expect(JSON.parse(s.ok(["store", "info", "--json", "--config", file])).store.type).toBe("memory");
    const out = s.ok([
      "run",
      "--config",
      file,
      "-s",
      "db",
      "--",
      process.execPath,
      "-e",
      "console.log(process.env.PASSWORD)",
    ]);
    expect(out).toBe("fake-from-file\n");
    const missing = s.run(["store", "info", "--config", path.join(dir, "nope.yaml")]);
    expect(missing.code).toBe(6);
    expect(missing.stderr).toMatch(/^error: The configuration file .*nope\.yaml cannot be read \(ENOENT\)\./);
  });
});

describe("store rotate-key", () => {
  it("re-encrypts every secret under a new key; values stay readable", () => {
    const s = session();
    s.ok(["secret", "create", "db", "--password=fake-password-1"]);
    s.ok(["secret", "create", "api", "--token=not-a-real-token"]);
    const before = JSON.parse(s.ok(["store", "info", "--json"])).store.keys;
    const result = JSON.parse(s.ok(["store", "rotate-key", "--json"]));
    expect(result).toMatchObject({
      generated: true,
      previousKeyId: before.activeKeyId,
      reencrypted: 2,
      remaining: 0,
    });
    expect(s.ok(["secret", "get", "db", "--key", "password"])).toBe("fake-password-1\n");
    const text = s.ok(["store", "rotate-key"]);
    expect(text).toMatch(/^New active key \S+ \(was \S+\)\.\nRe-encrypted 2 secrets in 1 batch\.\n$/);
  });

  it("is not supported (exit 9) on a store without managed keys", () => {
    const s = session({ COFFER_STORE_TYPE: "memory" });
    const result = s.run(["store", "rotate-key"]);
    expect(result.code).toBe(9);
    expect(result.stderr).toBe(
      "error: The 'memory' store has no encryption keys that Coffer manages. Key rotation applies to the embedded sql store; a cloud store rotates keys in its own service.\n",
    );
  });
});

describe("reconcile", () => {
  it("reports nothing to repair on a healthy store", () => {
    const s = session();
    s.ok(["secret", "create", "db", "--password=fake-1"]);
    expect(s.ok(["reconcile"])).toBe("Nothing to repair: every write finished.\n");
    expect(JSON.parse(s.ok(["reconcile", "--json", "--older-than", "0"]))).toEqual({
      completedCreates: [],
      rolledBackCreates: [],
      completedUpdates: [],
      completedDeletes: [],
      failed: [],
    });
  });
});

describe("a custom store plugin (COFFER_STORE_TYPE=custom)", () => {
  const plugin = path.resolve(
    path.dirname(fileURLToPath(import.meta.url)),
    "../../../examples/custom-store/dist/index.js",
  );

  it("is loaded by path and shares the command's @coffer/core, so its errors are understood", () => {
    const dir = tempDir();
    const s = session({
      COFFER_STORE_TYPE: "custom",
      COFFER_STORE_MODULE: plugin,
      COFFER_STORE_DIRECTORY: path.join(dir, "values"),
      COFFER_STORE_KEY: randomBytes(32).toString("base64"),
    });
    s.ok(["secret", "create", "db", "--password=fake-password-1"]);
    expect(s.ok(["secret", "get", "db", "--key", "password"])).toBe("fake-password-1\n");
    // Values removed behind Coffer's back: the plugin throws its SecretNotFoundError, which the
    // service must recognise (instanceof) to report lost values rather than a missing secret.
    for (const file of readdirSync(path.join(dir, "values"))) rmSync(path.join(dir, "values", file));
    const lost = s.run(["secret", "get", "db"]);
    expect(lost.code).toBe(10);
    expect(lost.stderr).toMatch(
      /^error: The values of secret 'db' are missing from the 'encrypted-dir' store\./,
    );
    // And a delete goes through even though the values are already gone.
    expect(s.ok(["secret", "delete", "db", "-y"])).toBe("Deleted public secret 'db'.\n");
  });
});

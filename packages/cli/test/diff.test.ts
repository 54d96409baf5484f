// `coffer diff` through the command: a backup file against the live deployment, two deployments
// by their configuration files; exit 0 when equal, 20 when not, the differences listed by name and
// key — and the values, on either side, never printed. vitest.remote.config.ts runs this file in
// remote mode too: there the backup file is uploaded to the server's admin diff endpoint, and the
// forms that open deployments on this machine are local-only.
import { createWriteStream, writeFileSync } from "node:fs";
import path from "node:path";
import { finished } from "node:stream/promises";
import { type ArchivedSecret, writeArchive } from "@coffer/backup";
import { describe, expect, it } from "vitest";
import { MODE, session, tempDir } from "./helpers.js";

const passphrase = "fake-test-passphrase";

async function archive(file: string, secrets: ArchivedSecret[]): Promise<void> {
  const output = createWriteStream(file);
  await writeArchive(
    {
      header: { source: { storeType: "sql" }, withHistory: false },
      secrets: (async function* () {
        yield* secrets;
      })(),
    },
    output,
    { passphrase, scryptWorkFactor: 10 },
  );
  output.end();
  await finished(output);
}

const at = "2026-01-01T00:00:00.000Z";
const secret = (name: string, values: Record<string, string>, version = 1): ArchivedSecret => ({
  id: `00000000-0000-4000-8000-00000000000${name.length}`,
  name,
  owner: "alice",
  private: false,
  version,
  createdAt: at,
  updatedAt: at,
  values,
});

describe("coffer diff", () => {
  it("a backup file against the current deployment: equal (exit 0), then different (exit 20)", async () => {
    const s = session();
    s.ok(["secret", "create", "db", "--password=fake-db-password", "--user=app"]);
    s.ok(["secret", "create", "api", "--token=fake-api-token"]);
    const dir = tempDir();
    const file = path.join(dir, "backup.age");
    const passFile = path.join(dir, "pass.txt");
    writeFileSync(passFile, `${passphrase}\n`);
    await archive(file, [
      secret("db", { password: "fake-db-password", user: "app" }),
      secret("api", { token: "fake-api-token" }),
    ]);
    const equal = s.run(["diff", file, "--passphrase-file", passFile]);
    expect(equal.stderr).toBe("");
    expect(equal.code).toBe(0);
    expect(equal.stdout).toMatch(/^Equal: 2 secrets/);

    s.ok(["secret", "update", "db", "--password=fake-db-password-2"]);
    s.ok(["secret", "create", "new", "--k=fake-new-value"]);
    const differ = s.run(["diff", file, "--passphrase-file", passFile]);
    expect(differ.code).toBe(20);
    expect(differ.stdout).toContain("+ new v1 keys: k");
    expect(differ.stdout).toContain("~ db: version 1 -> 2; values changed: password");
    expect(differ.stderr).toMatch(/^error: .* differ: 1 added, 0 removed, 1 changed\.\n$/);
    const json = s.run(["--json", "diff", file, "--passphrase-file", passFile]);
    expect(json.code).toBe(20);
    expect(JSON.parse(json.stdout)).toMatchObject({
      equal: false,
      counts: { a: 2, b: 3, added: 1, removed: 0, changed: 1, same: 1 },
      changed: [{ name: "db", version: { from: 1, to: 2 }, keysChanged: ["password"] }],
    });
    for (const run of [equal, differ, json]) expect(run.stdout + run.stderr).not.toMatch(/fake-/);
  });

  it("a changed value under a key named __proto__ is a difference like any other", async () => {
    // Per-key hashes were kept in a plain object: "__proto__" set its prototype, so the key
    // vanished from both sides and the two deployments compared equal.
    const s = session();
    const dir = tempDir();
    const values = path.join(dir, "values.json");
    writeFileSync(values, '{"__proto__":"fake-proto-2","user":"app"}');
    s.ok(["secret", "create", "db", "--values", `@${values}`]);
    const file = path.join(dir, "backup.age");
    const passFile = path.join(dir, "pass.txt");
    writeFileSync(passFile, `${passphrase}\n`);
    await archive(file, [secret("db", JSON.parse('{"__proto__":"fake-proto-1","user":"app"}'))]);
    const differ = s.run(["diff", file, "--passphrase-file", passFile]);
    expect(differ.code, differ.stdout + differ.stderr).toBe(20);
    expect(differ.stdout).toContain("values changed: __proto__");
    // The same values: equal, and one secret is said so ("1 secret", not "1 secrets").
    const same = path.join(dir, "same.age");
    await archive(same, [secret("db", JSON.parse('{"__proto__":"fake-proto-2","user":"app"}'))]);
    const equal = s.run(["diff", same, "--passphrase-file", passFile]);
    expect(equal.code, equal.stdout + equal.stderr).toBe(0);
    expect(equal.stdout).toMatch(/^Equal: 1 secret, /);
    expect(differ.stdout + differ.stderr).not.toMatch(/fake-/);
  });

  it("a backup file without its key is a usage error; with the wrong one, an integrity error", async () => {
    const s = session();
    const dir = tempDir();
    const file = path.join(dir, "backup.age");
    await archive(file, [secret("db", { password: "fake-db-password" })]);
    expect(s.run(["diff", file]).code).toBe(2);
    const wrong = path.join(dir, "wrong.txt");
    writeFileSync(wrong, "not-the-passphrase\n");
    const run = s.run(["diff", file, "--passphrase-file", wrong]);
    expect(run.code).toBe(10);
    expect(run.stdout + run.stderr).not.toMatch(/fake-/);
  });

  it.skipIf(MODE === "remote")(
    "two deployments by their configuration files: private secrets by owner, keys added and removed",
    () => {
      const a = session();
      const b = session();
      for (const s of [a, b]) s.ok(["secret", "create", "shared", "--x=fake-1", "--y=fake-2"]);
      a.ok(["secret", "create", "mine", "--k=fake-k", "--private"]);
      b.ok(["secret", "update", "shared", "--remove-keys", "y", "--z=fake-3"]);
      const dir = tempDir();
      const fileA = path.join(dir, "a.yaml");
      const fileB = path.join(dir, "b.yaml");
      writeFileSync(fileA, `dataDir: ${a.dataDir}\n`);
      writeFileSync(fileB, `dataDir: ${b.dataDir}\n`);
      const run = a.run(["--json", "diff", fileA, fileB]);
      expect(run.code).toBe(20);
      const result = JSON.parse(run.stdout);
      expect(result.removed).toEqual([{ name: "mine", owner: "alice", version: 1, keys: ["k"] }]);
      expect(result.changed).toEqual([
        {
          name: "shared",
          version: { from: 1, to: 2 },
          keysAdded: ["z"],
          keysRemoved: ["y"],
          keysChanged: [],
        },
      ]);
      expect(a.run(["diff", fileA, fileA]).code).toBe(0);
      expect(run.stdout + run.stderr).not.toMatch(/fake-/);
    },
  );

  it.skipIf(MODE === "local")(
    "remote mode: a deployment named by its configuration against the server is a usage error",
    () => {
      const s = session();
      const file = path.join(tempDir(), "other.yaml");
      writeFileSync(file, `dataDir: ${tempDir()}\n`);
      const run = s.run(["diff", file]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/Against a server, coffer diff compares a backup file/);
    },
  );
});

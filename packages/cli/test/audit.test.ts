// coffer audit list / verify in local mode: what the CLI did is on record (origin cli-local,
// export and run as such), never a value; verify exits 10 and names a record edited in the database.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { session, tempDir } from "./helpers.js";

const CANARY = "fake-canary-cli-31d9";

describe("coffer audit", () => {
  it("lists the CLI's actions with filters, as text and JSON, without values", () => {
    const s = session();
    s.ok(["secret", "create", "db", `--password=${CANARY}`]);
    s.ok(["secret", "get", "db", "--key", "password"]);
    s.ok(["secret", "export", "db", "-o", "-"]);
    const text = s.ok(["audit", "list"]);
    expect(text).toMatch(/^SEQ +TIME +ACTOR +ACTION/);
    expect(text).toMatch(/alice +secret\.export +db v1 +ok +cli-local/);
    expect(text).not.toContain(CANARY);
    const reads = JSON.parse(s.ok(["audit", "list", "--action", "secret.read", "--json"])).items;
    expect(reads).toEqual([
      expect.objectContaining({
        action: "secret.read",
        actor: { id: "alice" },
        origin: { kind: "cli-local" },
      }),
    ]);
    expect(JSON.parse(s.ok(["audit", "list", "--secret", "nothing", "--json"]))).toEqual({ items: [] });
    expect(s.run(["audit", "list", "--since", "yesterday"]).code).toBe(2);
    expect(s.ok(["audit", "verify"])).toMatch(/^The audit log verifies: \d+ records/);
  });

  it("verify exits 10 (integrity) and names the record edited in the database", () => {
    const s = session();
    s.ok(["secret", "create", "db", `--password=${CANARY}`]);
    s.ok(["secret", "get", "db"]);
    const database = new DatabaseSync(path.join(s.dataDir, "coffer.db"));
    database.exec(
      `update coffer_audit_log set record = replace(record, '"ok"', '"NOT_FOUND"') where seq = 2`,
    );
    database.close();
    const result = s.run(["audit", "verify"]);
    expect(result.code).toBe(10);
    expect(result.stdout).toMatch(/^edited at 2: Record 2 \(row seq 2\)/);
    expect(result.stderr).toMatch(/^error: The audit log failed verification/);
  });

  // Passphrase archives (age's scrypt, about a second of one core each) and a dozen CLI
  // processes: 10 s on a quiet machine, over 30 s on a loaded CI machine, so a longer limit.
  it("backup, restore, diff and migrate are each on record with the local user, counts and outcome — failures too", () => {
    const s = session();
    s.ok(["secret", "create", "db", `--password=${CANARY}`, "--user=app"]);
    s.ok(["secret", "create", "mine", `--k=${CANARY}`, "--private"]);
    const dir = tempDir();
    const pass = path.join(dir, "pass.txt");
    const wrong = path.join(dir, "wrong.txt");
    writeFileSync(pass, "fake-backup-passphrase\n");
    writeFileSync(wrong, "fake-not-the-passphrase\n");
    const archive = path.join(dir, "coffer.age");
    s.ok(["backup", "-o", archive, "--passphrase-file", pass]);
    s.ok(["restore", archive, "--passphrase-file", pass, "--on-conflict", "skip"]);
    expect(s.run(["restore", archive, "--passphrase-file", wrong]).code).toBe(10);
    s.ok(["diff", archive, "--passphrase-file", pass]);
    expect(s.run(["diff", archive, "--passphrase-file", wrong]).code).toBe(10);
    const target = path.join(dir, "target.yaml");
    writeFileSync(
      target,
      `store:\n  type: sql\n  url: sqlite://${path.join(dir, "target.db")}\n  keyringFile: ${path.join(dir, "target.keyring.json")}\n`,
    );
    s.ok(["migrate", "--to", target]);

    const of = (action: string) =>
      (JSON.parse(s.ok(["audit", "list", "--action", action, "--json"])).items as AuditItem[]).reverse();
    const backup = of("deployment.backup");
    expect(backup.map((r) => r.outcome)).toEqual(["started", "ok"]);
    expect(backup[1]).toMatchObject({
      actor: { id: "alice" },
      origin: { kind: "cli-local" },
      target: { withHistory: false, counts: { secrets: 2, values: 3, historyVersions: 0 } },
    });
    const restore = of("deployment.restore");
    expect(restore.map((r) => r.outcome)).toEqual(["started", "ok", "started", "INTEGRITY"]);
    expect(restore[1]!.target).toMatchObject({ onConflict: "skip", counts: { secrets: 2, identical: 2 } });
    expect(restore.every((r) => r.actor.id === "alice")).toBe(true);
    const diff = of("deployment.diff");
    expect(diff.map((r) => r.outcome)).toEqual(["started", "ok", "started", "INTEGRITY"]);
    expect(diff[1]!.target).toEqual({
      against: "archive",
      counts: { a: 2, b: 2, added: 0, removed: 0, changed: 0, same: 2 },
    });
    const migrate = of("deployment.migrate");
    expect(migrate.map((r) => r.outcome)).toEqual(["started", "ok"]);
    expect(migrate[1]).toMatchObject({
      actor: { id: "alice" },
      target: { store: expect.stringMatching(/^sql:/), counts: { total: 2, copied: 2, failed: 0 } },
    });
    expect(s.ok(["audit", "list", "--json"])).not.toContain(CANARY);
    expect(s.ok(["audit", "verify"])).toMatch(/^The audit log verifies/);
  }, 120_000);
});

interface AuditItem {
  action: string;
  outcome: string;
  actor: { id: string };
  target?: Record<string, unknown>;
}

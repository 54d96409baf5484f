// coffer audit list / verify in local mode: what the CLI did is on record (origin cli-local,
// export and run as such), never a value; verify exits 10 and names a record edited in the database.
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { session } from "./helpers.js";

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
});

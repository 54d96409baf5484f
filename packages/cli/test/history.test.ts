// secret history, secret get --version and secret rollback, as a user drives them (local mode, or
// against a server with COFFER_CLI_TEST_MODE=remote).
import { describe, expect, it } from "vitest";
import { session } from "./helpers.js";

function withThreeVersions() {
  const s = session();
  s.ok(["secret", "create", "db", "--username=app", "--password=fake-hist-1"]);
  s.ok(["secret", "update", "db", "--password=fake-hist-2", "--host=fake-host"]);
  s.ok(["secret", "update", "db", "--remove-keys", "host"]);
  return s;
}

describe("secret history", () => {
  it("lists versions newest first with who and which keys changed, never a value (text and JSON)", () => {
    const s = withThreeVersions();
    const text = s.ok(["secret", "history", "db"]);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^VERSION +CREATED +BY +ACTION +CHANGES$/);
    expect(lines[1]).toMatch(/^3 +\S+ +alice +update +-host$/);
    expect(lines[2]).toMatch(/^2 +\S+ +alice +update +\+host ~password$/);
    expect(lines[3]).toMatch(/^1 +\S+ +alice +create +\+username \+password$/);
    const json = JSON.parse(s.ok(["secret", "history", "db", "--json"]));
    expect(json.version).toBe(3);
    expect(json.versions.map((each: { version: number }) => each.version)).toEqual([3, 2, 1]);
    expect(json.versions[1].changes).toEqual({ added: ["host"], removed: [], changed: ["password"] });
    for (const shown of [text, JSON.stringify(json)]) expect(shown).not.toMatch(/fake-hist|fake-host/);
  });

  it("a secret that does not exist is not found (exit 3)", () => {
    const s = session();
    const result = s.run(["secret", "history", "nothing-here"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("No secret named 'nothing-here' exists.");
  });
});

describe("secret get --version and secret rollback", () => {
  it("reads an old version, rolls back to it as a new version, and keeps the history", () => {
    const s = withThreeVersions();
    expect(s.ok(["secret", "get", "db", "--version", "1", "--key", "password"])).toBe("fake-hist-1\n");
    const old = JSON.parse(s.ok(["secret", "get", "db", "--version", "2", "--json"]));
    expect(old).toMatchObject({
      version: 2,
      values: { username: "app", password: "fake-hist-2", host: "fake-host" },
    });
    const rolled = JSON.parse(s.ok(["secret", "rollback", "db", "--to", "1", "--json"]));
    expect(rolled).toMatchObject({ name: "db", version: 4, rolledBackTo: 1, keys: ["username", "password"] });
    expect(JSON.stringify(rolled)).not.toContain("fake-hist");
    expect(s.ok(["secret", "get", "db", "--key", "password"])).toBe("fake-hist-1\n");
    const history = JSON.parse(s.ok(["secret", "history", "db", "--json"]));
    expect(history.versions.map((each: { version: number }) => each.version)).toEqual([4, 3, 2, 1]);
    expect(history.versions[0]).toMatchObject({ action: "rollback", rolledBackTo: 1 });
    expect(s.ok(["secret", "rollback", "db", "--to", "2"])).toBe(
      "Rolled back public secret 'db' to the values of version 2: it is now version 5.\n",
    );
  });

  it("typed errors: a version that never was (exit 3), a stale --expected-version (exit 4), a bad number (usage)", () => {
    const s = withThreeVersions();
    const missing = s.run(["secret", "get", "db", "--version", "9"]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe(
      "error: The secret 'db' has no version 9. `coffer secret history NAME` lists its versions.\n",
    );
    const stale = s.run(["secret", "rollback", "db", "--to", "1", "--expected-version", "2"]);
    expect(stale.code).toBe(4);
    expect(stale.stderr).toContain("is at version 3, not 2");
    const bad = s.run(["secret", "rollback", "db", "--to", "zero"]);
    expect(bad.code).toBe(2);
    expect(s.run(["secret", "rollback", "db"]).code).toBe(2); // --to is required
    expect(JSON.parse(s.ok(["secret", "get", "db", "--json"])).version).toBe(3); // nothing written
  });
});

// `coffer secret register-missing FILE`: asks at a real terminal (test/pty-driver.py) for what a
// file's {{name.key}} references miss, values hidden, and writes each secret only once confirmed;
// Ctrl-C half way keeps the confirmed secrets and nothing else; --dry-run asks and writes nothing.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cofferInTerminal, session } from "./helpers.js";

const DB_USER = "fake-db-user-typed";
const DB_PASSWORD = "fake-db-password-typed";
const API_TOKEN = "fake-api-token-typed";

/** A session with secret `api` (key region only) and app.yaml referring to db and api. */
function setUp() {
  const s = session();
  s.ok(["secret", "create", "api", "--region=eu-west-1"]);
  const file = path.join(s.dataDir, "app.yaml");
  writeFileSync(
    file,
    [
      "database:",
      '  url: "postgres://{{db.username}}:{{ db.password }}@db.internal/app"',
      '  password: "{{db.password}}"',
      "api:",
      '  token: "{{api.token}}"',
      '  region: "{{api.region}}"',
      "",
    ].join("\n"),
  );
  const values = (name: string) => JSON.parse(s.ok(["secret", "get", name, "--json"])).values;
  return { s, file, values };
}

describe("secret register-missing", () => {
  it("--dry-run lists each secret and key it would ask for, asks nothing and writes nothing", () => {
    const { s, file, values } = setUp();
    const result = s.run(["secret", "register-missing", file, "--dry-run"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        `${file}: 2 secrets to register; this would ask to:`,
        "  create public secret 'db' with keys username, password",
        "  add key token to public secret 'api'",
        "Dry run: nothing was asked or written.",
        "",
      ].join("\n"),
    );
    const json = JSON.parse(s.ok(["secret", "register-missing", file, "--dry-run", "--json"]));
    expect(
      json.missing.map((each: { name: string; action: string; keys: string[] }) => [
        each.name,
        each.action,
        each.keys,
      ]),
    ).toEqual([
      ["db", "create", ["username", "password"]],
      ["api", "add-keys", ["token"]],
    ]);
    expect(json.written).toEqual([]);
    expect(json.declined).toEqual([]);
    expect(s.ok(["secret", "register-missing", file, "--dry-run", "--private"])).toContain(
      "  create private secret 'db' with keys username, password\n",
    );
    expect(s.names()).toEqual(["api"]);
    expect(values("api")).toEqual({ region: "eu-west-1" });
  });

  it("without a terminal and without --dry-run: a usage error (exit 2), nothing written", () => {
    const { s, file } = setUp();
    const result = s.run(["secret", "register-missing", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: secret register-missing needs a terminal, and standard input is not one. Run it at a terminal, or pass --dry-run to list what it would ask.\n",
    );
    expect(s.names()).toEqual(["api"]);
  });

  it("asks for every missing value hidden, writes each secret on yes: creates db, adds api's token", () => {
    const { s, file, values } = setUp();
    const result = cofferInTerminal(["secret", "register-missing", file], s.env, [
      { expect: "Value for {{db.username}}: ", send: `${DB_USER}\r` },
      { expect: "Value for {{db.password}}: ", send: `${DB_PASSWORD}\r` },
      { expect: "Create public secret 'db' with keys username, password? [y/N] ", send: "y\r" },
      { expect: "Value for {{api.token}}: ", send: `${API_TOKEN}\r` },
      { expect: "Add key token to public secret 'api'? [y/N] ", send: "yes\r" },
    ]);
    expect(result.error).toBeUndefined();
    expect(result.exitCode).toBe(0);
    expect(result.transcript).toContain("Registered 2 of 2 secrets");
    // What was typed at the hidden prompts never shows; the answers to the questions do.
    for (const typed of [DB_USER, DB_PASSWORD, API_TOKEN]) expect(result.transcript).not.toContain(typed);
    expect(values("db")).toEqual({ username: DB_USER, password: DB_PASSWORD });
    expect(values("api")).toEqual({ region: "eu-west-1", token: API_TOKEN });
    // Now the file resolves, and a second run has nothing to ask.
    expect(s.run(["secret", "validate", file]).code).toBe(0);
    expect(s.ok(["secret", "register-missing", file, "--dry-run"])).toBe(
      `All 5 references in ${file} resolve: nothing to register.\n`,
    );
  });

  it("Ctrl-C half way: the secret confirmed before is written, the one at hand is not (exit 130)", () => {
    const { s, file, values } = setUp();
    const result = cofferInTerminal(["secret", "register-missing", file], s.env, [
      { expect: "Value for {{db.username}}: ", send: `${DB_USER}\r` },
      { expect: "Value for {{db.password}}: ", send: `${DB_PASSWORD}\r` },
      { expect: "[y/N] ", send: "y\r" },
      { expect: "Value for {{api.token}}: ", send: `${API_TOKEN}\r` },
      { expect: "Add key token to public secret 'api'? [y/N] ", send: "\x03" },
    ]);
    expect(result.exitCode).toBe(130);
    expect(result.transcript).toContain(
      "error: Interrupted: only the secrets confirmed before were saved ('db'); nothing else was.",
    );
    expect(result.transcript).not.toContain(API_TOKEN);
    expect(values("db")).toEqual({ username: DB_USER, password: DB_PASSWORD });
    expect(values("api")).toEqual({ region: "eu-west-1" });
  });

  it("Ctrl-C or Ctrl-D before any confirmation writes nothing at all", () => {
    for (const stop of ["\x03", "\x04"]) {
      const { s, file, values } = setUp();
      const result = cofferInTerminal(["secret", "register-missing", file], s.env, [
        { expect: "Value for {{db.username}}: ", send: `${DB_USER}\r` },
        { expect: "Value for {{db.password}}: ", send: stop },
      ]);
      expect(result.exitCode, JSON.stringify(stop)).toBe(130);
      expect(result.transcript).toMatch(/error: (Interrupted|End of input): nothing was saved\./);
      expect(s.names()).toEqual(["api"]);
      expect(values("api")).toEqual({ region: "eu-west-1" });
    }
  });

  it("a declined secret is left as it was, the next one is still asked; exit 11 at the end", () => {
    const { s, file, values } = setUp();
    const result = cofferInTerminal(["secret", "register-missing", file], s.env, [
      { expect: "Value for {{db.username}}: ", send: `${DB_USER}\r` },
      { expect: "Value for {{db.password}}: ", send: `${DB_PASSWORD}\r` },
      { expect: "[y/N] ", send: "n\r" },
      { expect: "Value for {{api.token}}: ", send: `${API_TOKEN}\r` },
      { expect: "[y/N] ", send: "y\r" },
    ]);
    expect(result.exitCode).toBe(11);
    expect(result.transcript).toContain("Skipped secret 'db': nothing written for it.");
    expect(result.transcript).toContain("error: Not registered: 'db';");
    expect(s.names().sort()).toEqual(["api"]);
    expect(values("api")).toEqual({ region: "eu-west-1", token: API_TOKEN });
  });

  it("a malformed reference: exit 5 before anything is asked, nothing written", () => {
    const s = session();
    const file = path.join(s.dataDir, "bad.yaml");
    writeFileSync(file, 'url: "{{db.password"\n');
    const result = cofferInTerminal(["secret", "register-missing", file], s.env, []);
    expect(result.exitCode).toBe(5);
    expect(result.transcript).toContain("Malformed secret reference");
    expect(result.transcript).not.toContain("Value for");
    expect(s.names()).toEqual([]);
  });
});

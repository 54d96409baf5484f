// get, list, update, rename, delete, export, validate and resolve, as a user drives them.
import { spawnSync } from "node:child_process";
import { existsSync, linkSync, lstatSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { COMMAND_SPECS } from "../src/command-tree/index.js";
import { BIN, session, tempDir } from "./helpers.js";

const PASSWORD = "fake-password-1";

function withDb() {
  const s = session();
  s.ok(["secret", "create", "db", "--username=app", `--password=${PASSWORD}`]);
  return s;
}

describe("secret get", () => {
  it("shows the values (that is what it is for), one key raw, or JSON with values", () => {
    const s = withDb();
    const human = s.ok(["secret", "get", "db"]);
    expect(human).toMatch(/^public secret 'db' · owner alice · version 1 · id [0-9a-f-]{36}\nKEY +VALUE\n/);
    expect(human).toContain(`password  ${PASSWORD}`);
    expect(s.ok(["secret", "get", "db", "-k", "password"])).toBe(`${PASSWORD}\n`);
    const json = JSON.parse(s.ok(["secret", "get", "db", "--json"]));
    expect(json).toMatchObject({ name: "db", private: false, owner: "alice", version: 1 });
    expect(json.values).toEqual({ username: "app", password: PASSWORD });
  });

  it("finds a secret by id as well as by name", () => {
    const s = withDb();
    const { id } = JSON.parse(s.ok(["secret", "get", "db", "--json"])) as { id: string };
    expect(s.ok(["secret", "get", id, "--key", "username"])).toBe("app\n");
  });

  it("a missing key is not found (exit 3) and names the keys there are", () => {
    const s = withDb();
    const result = s.run(["secret", "get", "db", "--key", "pasword"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      "error: The public secret 'db' has no key 'pasword'. Its keys are: username, password.\n",
    );
  });
});

describe("secret list", () => {
  it("shows names, visibility, owners and keys, never values (text and JSON)", () => {
    const s = withDb();
    s.ok(["secret", "create", "api", "--token=not-a-real-token", "--private"]);
    const text = s.ok(["secret", "list"]);
    expect(text.split("\n")[0]).toMatch(/^NAME +VISIBILITY +OWNER +VERSION +UPDATED +KEYS$/);
    expect(text).toMatch(/\napi +private +alice +1 +\S+ +token\n/);
    expect(text).toMatch(/\ndb +public +alice +1 +\S+ +username,password\n/);
    const json = s.ok(["secret", "list", "--json"]);
    for (const shown of [text, json]) {
      expect(shown).not.toContain(PASSWORD);
      expect(shown).not.toContain("not-a-real-token");
    }
    expect((JSON.parse(json) as { items: unknown[] }).items).toHaveLength(2);
  });

  it("filters, sorts and pages", () => {
    const s = session();
    for (const name of ["payments/stripe", "payments/adyen", "search/algolia", "db"]) {
      s.ok(["secret", "create", name, "--k=v"]);
    }
    const names = (args: string[]) =>
      (
        JSON.parse(s.ok(["secret", "list", "--json", ...args])) as { items: Array<{ name: string }> }
      ).items.map((item) => item.name);
    expect(names(["--name-starts-with", "payments/"])).toEqual(["payments/adyen", "payments/stripe"]);
    expect(names(["--name-contains", "a", "--desc"])).toEqual([
      "search/algolia",
      "payments/stripe",
      "payments/adyen",
    ]);
    expect(names(["--name", "db"])).toEqual(["db"]);
    expect(names(["--private", "true"])).toEqual([]);

    const first = s.run(["secret", "list", "--limit", "3"]);
    expect(first.code).toBe(0);
    const cursor = /--cursor (\S+)/.exec(first.stderr)?.[1];
    expect(cursor, first.stderr).toBeDefined();
    const second = JSON.parse(s.ok(["secret", "list", "--limit", "3", "--cursor", cursor!, "--json"]));
    expect(second.items.map((item: { name: string }) => item.name)).toEqual(["search/algolia"]);
    expect(names(["--limit", "1", "--all"])).toHaveLength(4);
  });

  it("two name filters at once are a usage error (exit 2)", () => {
    const s = session();
    const result = s.run(["secret", "list", "--name", "a", "--name-contains", "b"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: Give at most one of --name/);
  });
});

describe("secret update", () => {
  it("merges values, removes keys, changes visibility; the output names keys only", () => {
    const s = withDb();
    const out = s.ok(["secret", "update", "db", "--password=fake-password-2", "--host=db.internal"]);
    expect(out).toBe("Updated public secret 'db': set password, host (version 2).\n");
    expect(s.ok(["secret", "update", "db", "--remove-keys", "host,username"])).toBe(
      "Updated public secret 'db': removed host, username (version 3).\n",
    );
    expect(s.ok(["secret", "update", "db", "--private", "true"])).toBe(
      "Updated private secret 'db': made it private (version 4).\n",
    );
    const db = JSON.parse(s.ok(["secret", "get", "db", "--json"]));
    expect(db).toMatchObject({ private: true, version: 4, values: { password: "fake-password-2" } });
  });

  it("--replace replaces every value", () => {
    const s = withDb();
    s.ok(["secret", "update", "db", "--replace", "--values", "token: fake-token"]);
    expect(JSON.parse(s.ok(["secret", "get", "db", "--json"])).values).toEqual({ token: "fake-token" });
  });

  it("--expected-version makes it check-and-set: a stale version is a conflict (exit 4)", () => {
    const s = withDb();
    s.ok(["secret", "update", "db", "--password=x", "--expected-version", "1"]);
    const stale = s.run(["secret", "update", "db", "--password=y", "--expected-version", "1"]);
    expect(stale.code).toBe(4);
    expect(stale.stderr).toMatch(/^error: The secret 'db' is at version 2, not 1\./);
    expect(s.ok(["secret", "get", "db", "--key", "password"])).toBe("x\n");
  });

  it("removing a key that is not there is invalid input (exit 5); nothing to change is a usage error", () => {
    const s = withDb();
    const missing = s.run(["secret", "update", "db", "--remove-keys", "nope"]);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(/has no key 'nope' to remove/);
    const nothing = s.run(["secret", "update", "db"]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/^error: Nothing to change\./);
    expect(JSON.parse(s.ok(["secret", "get", "db", "--json"])).version).toBe(1);
  });

  it("a missing secret is not found (exit 3)", () => {
    const s = session();
    expect(s.run(["secret", "update", "nope", "--a=b"]).code).toBe(3);
  });
});

describe("secret rename and delete", () => {
  it("rename gives a new name; the old one is gone", () => {
    const s = withDb();
    expect(s.ok(["secret", "rename", "db", "db-primary"])).toBe(
      "Renamed public secret 'db' to 'db-primary' (version 2).\n",
    );
    expect(s.names()).toEqual(["db-primary"]);
  });

  it("delete -y deletes; without -y and without a terminal it refuses (exit 2)", () => {
    const s = withDb();
    const refused = s.run(["secret", "delete", "db"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      "error: Deleting asks for confirmation, and there is no terminal to ask on. Pass -y to delete without asking.\n",
    );
    expect(s.names()).toEqual(["db"]);
    expect(s.ok(["secret", "delete", "db", "-y"])).toBe("Deleted public secret 'db'.\n");
    expect(s.names()).toEqual([]);
    expect(s.run(["secret", "delete", "db", "-y"]).code).toBe(3);
  });

  it("--private picks which of two same-named secrets", () => {
    const s = session();
    s.ok(["secret", "create", "api", "--token=fake-public"]);
    s.ok(["secret", "create", "api", "--token=fake-private", "--private"]);
    s.ok(["secret", "delete", "api", "--private", "false", "-y"]);
    expect(s.ok(["secret", "get", "api", "--key", "token"])).toBe("fake-private\n");
    expect(s.run(["secret", "get", "api", "--private", "false"]).code).toBe(3);
  });
});

describe("secret export", () => {
  it("writes the values to a 0600 YAML file, warns that it is plain text, and re-imports", () => {
    const s = withDb();
    const dir = tempDir();
    const result = s.run(["secret", "export", "db", "-o", "db.yaml"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Exported public secret 'db' (keys username, password) to db.yaml.\n");
    expect(result.stderr).toBe(
      "warning: db.yaml holds the values of public secret 'db' in plain text (mode 0600); delete it when you are done.\n",
    );
    const file = path.join(dir, "db.yaml");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).toBe(`username: app\npassword: ${PASSWORD}\n`);
    s.ok(["secret", "create", "db-copy", "--values", "@db.yaml"], { cwd: dir });
    expect(s.ok(["secret", "get", "db-copy", "--key", "password"])).toBe(`${PASSWORD}\n`);
  });

  it("JSON by extension; refuses to overwrite (exit 4) unless --force, which also makes the file 0600", () => {
    const s = withDb();
    const dir = tempDir();
    const file = path.join(dir, "db.json");
    writeFileSync(file, "old", { mode: 0o644 });
    const refused = s.run(["secret", "export", "db", "-o", file]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(
      /^error: The file .*db\.json exists already\. Choose another name with -o, or pass --force/,
    );
    expect(readFileSync(file, "utf8")).toBe("old");
    s.ok(["secret", "export", "db", "-o", file, "--force"]);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ username: "app", password: PASSWORD });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("never writes through a symbolic link, even with --force (exit 5), and leaves its target alone", () => {
    const s = withDb();
    const dir = tempDir();
    const target = path.join(dir, "authorized_keys");
    writeFileSync(target, "fake-original-content\n", { mode: 0o644 });
    const link = path.join(dir, "db.yaml");
    symlinkSync(target, link);
    const forced = s.run(["secret", "export", "db", "-o", link, "--force"]);
    expect(forced.code).toBe(5);
    expect(forced.stderr).toMatch(
      /^error: .*db\.yaml is a symbolic link; coffer does not write values through one\./,
    );
    const plain = s.run(["secret", "export", "db", "-o", link]);
    expect(plain.code).toBe(4);
    expect(plain.stderr).toContain("(a symbolic link)");
    // A dangling link would otherwise create its target.
    const dangling = path.join(dir, "dangling.yaml");
    symlinkSync(path.join(dir, "created-through-link"), dangling);
    expect(s.run(["secret", "export", "db", "-o", dangling, "--force"]).code).toBe(5);
    expect(existsSync(path.join(dir, "created-through-link"))).toBe(false);
    expect(readFileSync(target, "utf8")).toBe("fake-original-content\n");
    expect(statSync(target).mode & 0o777).toBe(0o644);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it("refuses a file with other hard links (the values would show under them), untouched", () => {
    const s = withDb();
    const dir = tempDir();
    const other = path.join(dir, "shared.txt");
    writeFileSync(other, "fake-shared-content\n");
    const file = path.join(dir, "db.yaml");
    linkSync(other, file);
    const result = s.run(["secret", "export", "db", "-o", file, "--force"]);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/has other hard links/);
    expect(readFileSync(other, "utf8")).toBe("fake-shared-content\n");
  });

  it("secret resolve -o follows the same rule", () => {
    const s = withDb();
    const dir = tempDir();
    const config = path.join(dir, "app.yaml");
    writeFileSync(config, "password: '{{db.password}}'\n");
    const target = path.join(dir, "elsewhere.yaml");
    writeFileSync(target, "fake-original\n");
    const link = path.join(dir, "out.yaml");
    symlinkSync(target, link);
    expect(s.run(["secret", "resolve", config, "-o", link, "--force"]).code).toBe(5);
    expect(readFileSync(target, "utf8")).toBe("fake-original\n");
  });
});

describe("secret validate and resolve", () => {
  function config(dir: string, text: string, name = "app.yaml") {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  }

  it("validate passes when every reference resolves, and lists each problem (exit 5) when not", () => {
    const s = withDb();
    const dir = tempDir();
    const good = config(dir, "database:\n  url: postgres://{{db.username}}:{{db.password}}@db/app\n");
    expect(s.ok(["secret", "validate", good])).toBe(`All 2 references in ${good} check out.\n`);
    const bad = config(dir, "a: '{{db.pasword}}'\nb: '{{nope.key}}'\nc: '{{db.username}}'\n", "bad.yaml");
    const result = s.run(["secret", "validate", bad]);
    expect(result.code).toBe(5);
    expect(result.stdout).toMatch(
      /^\/a: \{\{db\.pasword\}\}: secret 'db' has no key 'pasword'.*\n\/b: \{\{nope\.key\}\}: .*\n$/,
    );
    expect(result.stderr).toMatch(/^error: 2 of 3 references in .*bad\.yaml do not resolve\./);
    expect(s.ok(["secret", "validate", bad, "--level", "NONE"])).toMatch(/check out/);
    const json = JSON.parse(s.run(["secret", "validate", bad, "--json"]).stdout);
    expect(json.problems.map((problem: { problem: string }) => problem.problem)).toEqual([
      "key-missing",
      "secret-missing",
    ]);
  });

  it("validate: a malformed file or reference is invalid input (exit 5), a missing file too", () => {
    const s = withDb();
    const dir = tempDir();
    const broken = config(dir, "a: [1\n");
    expect(s.run(["secret", "validate", broken]).code).toBe(5);
    const badReference = config(dir, "a: '{{db}}'\n", "ref.yaml");
    const result = s.run(["secret", "validate", badReference]);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/Malformed secret reference/);
    const missing = s.run(["secret", "validate", path.join(dir, "none.yaml")]);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(/none\.yaml does not exist/);
  });

  it("resolve prints the file with values in place", () => {
    const s = withDb();
    const dir = tempDir();
    const file = config(dir, "url: postgres://{{db.username}}:{{db.password}}@db/app\nport: 5432\n");
    expect(s.ok(["secret", "resolve", file])).toBe(`url: postgres://app:${PASSWORD}@db/app\nport: 5432\n`);
  });
});

describe("help", () => {
  // Every command, from the one description the command tree is built from.
  const commands = COMMAND_SPECS.map((spec) => [...spec.path]);
  it("every command has --help with examples, exit 0", () => {
    const s = session();
    for (const command of commands) {
      const result = s.run([...command, "--help"]);
      expect(result.code, command.join(" ")).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: coffer ${command.join(" ")}`));
      expect(result.stdout, command.join(" ")).toMatch(/\nExamples:\n {2}\$ coffer /);
    }
  });

  it("a reader that stops early (| head) is not an error", () => {
    const s = session();
    const result = spawnSync(
      "bash",
      // `true` exits without reading, long before coffer writes: its write meets a closed pipe.
      ["-c", `"${process.execPath}" "${BIN}" --help | true; echo "exit \${PIPESTATUS[0]}"`],
      { env: s.env, encoding: "utf8" },
    );
    expect(result.stdout).toBe("exit 0\n");
    expect(result.stderr).toBe("");
  });

  it("an unknown --flag=value is reported without its value", () => {
    const s = session();
    const result = s.run(["secret", "list", "--pasword=fake-typed-value"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: Unknown option '--pasword=…'. Run 'coffer secret list --help' for usage.\n",
    );
  });

  it("an unknown command suggests the closest (exit 2)", () => {
    const s = session();
    const result = s.run(["secret", "craete", "db"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: Unknown command 'craete' (Did you mean create?) Run 'coffer secret --help' for usage.\n",
    );
  });
});

// `--json` is one documented shape per command: schemas/<command>.json (the command's words joined
// by "-") describes what it prints on standard output, schemas/error.json what every command
// prints on standard error when it fails. The list of commands comes from the command tree, so a
// new command fails here until it has a schema and a run below. Every command runs for real, with
// --json, once to succeed and once to fail (against the local store, and a real `coffer server
// start` for the server's commands), and both outputs are validated with ajv.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMAND_SPECS } from "../src/command-tree/index.js";
import { ERROR_CODES } from "../src/exit-codes.js";
import { coffer, cofferEnv, type Run, session, startCoffer, tempDir } from "./helpers.js";

// ajv-formats is CommonJS: its default export is the plugin itself.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const schemaDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../schemas");
const SHARED = ["common.json", "error.json"];
const commandNames = COMMAND_SPECS.map((spec) => spec.path.join("-"));

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
for (const file of readdirSync(schemaDir).filter((name) => name.endsWith(".json"))) {
  ajv.addSchema(JSON.parse(readFileSync(path.join(schemaDir, file), "utf8")));
}
const schemaOf = (name: string): ValidateFunction => {
  const validate = ajv.getSchema(`${name}.json`);
  if (!validate) throw new Error(`no schema ${name}.json`);
  return validate;
};
/** A schema `{ "not": {} }`: the command prints no JSON of its own (run: the child's output). */
const printsNoJson = (name: string) =>
  JSON.stringify((schemaOf(name).schema as { not?: unknown }).not) === "{}";

function expectValid(name: string, value: unknown, where: string): void {
  const validate = schemaOf(name);
  const valid = validate(value);
  expect(valid, `${where}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value, null, 2)}`).toBe(true);
}

/** Standard output of a --json run: exactly one JSON object. */
function resultOf(run: Run, where: string): unknown {
  expect(run.code, `${where} exited ${run.code}: ${run.stderr}`).toBe(0);
  const value = JSON.parse(run.stdout) as unknown;
  expect(typeof value === "object" && value !== null && !Array.isArray(value), `${where}: an object`).toBe(
    true,
  );
  return value;
}

/** Standard error of a failed --json run: its last line, `{ "error": … }`. */
function errorOf(run: Run, where: string): { error: { code: string; exitCode: number } } {
  expect(run.code, `${where} should fail: ${run.stdout}`).not.toBe(0);
  const line = run.stderr.trimEnd().split("\n").at(-1) ?? "";
  const value = JSON.parse(line) as { error: { code: string; exitCode: number } };
  expect(value.error.exitCode, where).toBe(run.code);
  return value;
}

// --- the runs ---------------------------------------------------------------------------------------

const local = session();
let server: ReturnType<typeof startCoffer>;
let serverStart: unknown;
let url: string;
let adminToken: string;
/** Remote mode through a saved login (HOME holds the credentials file). */
const remoteHome = tempDir();
const remote = (args: string[], extra: Record<string, string> = {}) =>
  coffer(["--json", ...args], { env: cofferEnv(remoteHome, extra) });
const inLocal = (args: string[], more: { input?: string; cwd?: string } = {}) =>
  local.run(["--json", ...args], more);

beforeAll(async () => {
  server = startCoffer(["server", "start", "--port", "0", "--json"], {
    env: cofferEnv(tempDir(), { COFFER_LOG_LEVEL: "warn" }),
  });
  serverStart = await new Promise<unknown>((resolve, reject) => {
    let text = "";
    server.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk;
      try {
        resolve(JSON.parse(text));
      } catch {
        // not all of it yet
      }
    });
    server.once("exit", (code) => reject(new Error(`server exited ${code}: ${text}`)));
  });
  ({ url, bootstrapToken: adminToken } = serverStart as { url: string; bootstrapToken: string });
});
afterAll(() => {
  server?.kill("SIGTERM");
});

interface Case {
  /** Runs that must succeed, each validated against the command's schema. */
  ok: () => Run[];
  /** For a command that prints no JSON of its own (schema `{ "not": {} }`): what it prints instead. */
  prints?: RegExp;
  /** A run that must fail, validated against error.json. */
  fail: () => Run;
}

const work = tempDir("coffer-json-");
// A fixed test key pair (age X25519), made for these tests only.
const BACKUP_IDENTITY = "AGE-SECRET-KEY-17FPFMWN5CTD87839GU3ETFSJQJW98C5DUGAR7GL6WRYFMDTLHWSSAK84X6";
const BACKUP_RECIPIENT = "age1ue4dqcvpq6g8ef8h857uypavt23rq203lqued9m80ym5dqfzcalsf6prtr";
const file = (name: string, text: string) => {
  const target = path.join(work, name);
  writeFileSync(target, text);
  return target;
};

/** In the order they run: later ones use what earlier ones made. */
const cases: Record<string, Case> = {
  "secret-create": {
    ok: () => [inLocal(["secret", "create", "db", "--password=fake-pw", "--user=app"])],
    fail: () => inLocal(["secret", "create", "db", "--password=fake-again"]),
  },
  "secret-get": {
    ok: () => [inLocal(["secret", "get", "db"]), inLocal(["secret", "get", "db", "--key", "password"])],
    fail: () => inLocal(["secret", "get", "no-such-secret"]),
  },
  "secret-list": {
    ok: () => [inLocal(["secret", "list"]), inLocal(["secret", "list", "--all"])],
    fail: () => inLocal(["secret", "list", "--limit", "0"]),
  },
  "secret-update": {
    ok: () => [inLocal(["secret", "update", "db", "--password=fake-pw-2"])],
    fail: () => inLocal(["secret", "update", "db"]),
  },
  "secret-history": {
    ok: () => [inLocal(["secret", "history", "db"])],
    fail: () => inLocal(["secret", "history", "no-such-secret"]),
  },
  "secret-rollback": {
    ok: () => [inLocal(["secret", "rollback", "db", "--to", "1"])],
    fail: () => inLocal(["secret", "rollback", "db", "--to", "99"]),
  },
  "secret-rename": {
    ok: () => [inLocal(["secret", "rename", "db", "database"])],
    fail: () => inLocal(["secret", "rename", "no-such-secret", "x"]),
  },
  "secret-watch": {
    // From the start of the feed, the first event about 'database' (its rename), then it stops.
    ok: () => [inLocal(["secret", "watch", "database", "--since", "0", "--count", "1"])],
    fail: () => inLocal(["secret", "watch", "database", "--since", "not-a-number"]),
  },
  "secret-export": {
    ok: () => [
      inLocal(["secret", "export", "database", "-o", "-"]),
      inLocal(["secret", "export", "database", "-o", path.join(work, "database.json")]),
    ],
    fail: () => inLocal(["secret", "export", "database", "-o", path.join(work, "api.txt")]),
  },
  "secret-import": {
    ok: () => [
      inLocal([
        "secret",
        "import",
        file("many.yaml", "imported: {k: fake-v}\ndatabase: {password: fake-pw-3}\n"),
        "--dry-run",
        "--on-conflict",
        "overwrite",
      ]),
      inLocal(["secret", "import", path.join(work, "many.yaml"), "--on-conflict", "skip"]),
      inLocal([
        "secret",
        "import",
        file("one.env", "TOKEN='fake-token'\n"),
        "--name",
        "from-env",
        "--private",
      ]),
    ],
    fail: () => inLocal(["secret", "import", path.join(work, "many.yaml")]),
  },
  "secret-validate": {
    ok: () => [inLocal(["secret", "validate", file("ok.yaml", "url: '{{database.password}}'\n")])],
    fail: () => inLocal(["secret", "validate", file("bad.yaml", "url: '{{nothing.here}}'\n")]),
  },
  "secret-resolve": {
    ok: () => [
      inLocal(["secret", "resolve", file("app.yaml", "pw: '{{database.password}}'\n")]),
      inLocal(["secret", "resolve", path.join(work, "app.yaml"), "-o", path.join(work, "resolved.yaml")]),
    ],
    fail: () => inLocal(["secret", "resolve", path.join(work, "missing.yaml")]),
  },
  run: {
    ok: () => [
      inLocal(["run", "-s", "database", "--", process.execPath, "-e", "process.stdout.write('child')"]),
    ],
    prints: /^child$/,
    fail: () => inLocal(["run", "-s", "no-such-secret", "--", "true"]),
  },
  "secret-register-missing": {
    ok: () => [
      inLocal([
        "secret",
        "register-missing",
        file("refs.yaml", "a: '{{database.password}}'\nb: '{{new.key}}'\n"),
        "--dry-run",
      ]),
    ],
    // Without a terminal and without --dry-run: a usage error before anything is read.
    fail: () => inLocal(["secret", "register-missing", path.join(work, "refs.yaml")]),
  },
  completion: {
    ok: () => [inLocal(["completion", "bash"]), inLocal(["completion", "fish"])],
    prints: /^# (bash|fish) completion for coffer/,
    fail: () => inLocal(["completion", "ksh"]),
  },
  "audit-list": {
    ok: () => [
      inLocal(["audit", "list"]),
      inLocal(["audit", "list", "--action", "secret.read", "--limit", "1"]),
    ],
    fail: () => inLocal(["audit", "list", "--since", "yesterday"]),
  },
  "audit-verify": {
    ok: () => [inLocal(["audit", "verify"])],
    fail: () => inLocal(["audit", "verify", "--no-such-flag"]),
  },
  "backup-create": {
    ok: () => [
      inLocal([
        "backup",
        "-o",
        path.join(work, "b1.age"),
        "--passphrase-file",
        file("pass.txt", "fake-pass\n"),
      ]),
      inLocal([
        "backup",
        "create",
        "-o",
        path.join(work, "b2.age"),
        "--recipient",
        BACKUP_RECIPIENT,
        "--with-history",
      ]),
    ],
    fail: () =>
      inLocal(["backup", "-o", path.join(work, "b1.age"), "--passphrase-file", path.join(work, "pass.txt")]),
  },
  "backup-verify": {
    ok: () => [
      inLocal([
        "backup",
        "verify",
        path.join(work, "b1.age"),
        "--passphrase-file",
        path.join(work, "pass.txt"),
      ]),
      inLocal([
        "backup",
        "verify",
        path.join(work, "b2.age"),
        "--identity-file",
        file("key.txt", `${BACKUP_IDENTITY}\n`),
      ]),
    ],
    fail: () =>
      inLocal([
        "backup",
        "verify",
        path.join(work, "b1.age"),
        "--passphrase-file",
        file("wrong.txt", "fake-wrong\n"),
      ]),
  },
  restore: {
    ok: () => [
      inLocal([
        "restore",
        path.join(work, "b1.age"),
        "--passphrase-file",
        path.join(work, "pass.txt"),
        "--dry-run",
      ]),
      inLocal([
        "restore",
        path.join(work, "b2.age"),
        "--identity-file",
        path.join(work, "key.txt"),
        "--on-conflict",
        "skip",
      ]),
    ],
    fail: () =>
      inLocal(["restore", path.join(work, "no-such.age"), "--passphrase-file", path.join(work, "pass.txt")]),
  },
  "secret-delete": {
    ok: () => [inLocal(["secret", "delete", "database", "-y"])],
    fail: () => inLocal(["secret", "delete", "database", "-y"]),
  },
  "store-info": {
    ok: () => [inLocal(["store", "info"]), remote(["store", "info"])],
    fail: () => inLocal(["store", "info", "--no-such-flag"]),
  },
  "store-rotate-key": {
    ok: () => [inLocal(["store", "rotate-key"])],
    fail: () => inLocal(["store", "rotate-key", "--batch-size", "many"]),
  },
  migrate: {
    ok: () => {
      const target = file(
        "target.yaml",
        `store:\n  type: sql\n  url: sqlite://${path.join(work, "target.db")}\n  keyringFile: ${path.join(work, "target.keyring.json")}\n`,
      );
      return [inLocal(["migrate", "--to", target, "--dry-run"]), inLocal(["migrate", "--to", target])];
    },
    fail: () => inLocal(["migrate", "--to", path.join(work, "no-such-target.yaml")]),
  },
  diff: {
    // The session's deployment against itself, named by its configuration: equal, exit 0.
    ok: () => [inLocal(["diff", file("self.yaml", `dataDir: ${local.dataDir}\n`)])],
    // Differences (exit 20, the report on stdout as diff.json) are checked in migrate-diff.test.ts.
    fail: () => inLocal(["diff", path.join(work, "no-such-deployment.yaml")]),
  },
  reconcile: {
    ok: () => [inLocal(["reconcile"])],
    fail: () => inLocal(["reconcile", "--older-than", "soon"]),
  },
  "server-start": {
    ok: () => [{ code: 0, signal: null, stdout: JSON.stringify(serverStart), stderr: "" }],
    fail: () => inLocal(["server", "start", "--port", new URL(url).port]),
  },
  login: {
    ok: () => [remote(["login", "--url", url, "--token", adminToken])],
    fail: () => remote(["login", "--url", url, "--token", `coffer_aaaaaaaaaaaa_${"x".repeat(43)}`]),
  },
  whoami: {
    ok: () => [remote(["whoami"]), inLocal(["whoami"])],
    fail: () => remote(["whoami"], { COFFER_URL: "http://127.0.0.1:1", COFFER_TOKEN: adminToken }),
  },
  status: {
    ok: () => [remote(["status"]), inLocal(["status"])],
    fail: () => remote(["status"], { COFFER_CONTEXT: "no-such-context" }),
  },
  "user-create": {
    ok: () => [remote(["user", "create", "bob", "--role", "reader"])],
    fail: () => remote(["user", "create", "bob", "--role", "reader"]),
  },
  "user-set-role": {
    ok: () => [remote(["user", "set-role", "bob", "writer"])],
    fail: () => remote(["user", "set-role", "bob", "superuser"]),
  },
  "user-list": {
    ok: () => [remote(["user", "list"])],
    fail: () => inLocal(["user", "list"]),
  },
  "token-create": {
    ok: () => [remote(["token", "create", "--description", "second laptop"])],
    fail: () => remote(["token", "create", "--expires-in-days", "0"]),
  },
  "token-list": {
    ok: () => [remote(["token", "list"])],
    fail: () => inLocal(["token", "list"]),
  },
  "token-revoke": {
    ok: () => {
      const made = JSON.parse(remote(["token", "create", "--description", "to revoke"]).stdout) as {
        id: string;
      };
      return [remote(["token", "revoke", made.id])];
    },
    fail: () => remote(["token", "revoke", "zzzzzzzzzzzz"]),
  },
  "user-delete": {
    ok: () => [remote(["user", "delete", "bob", "-y"])],
    fail: () => remote(["user", "delete", "bob", "-y"]),
  },
  "context-list": {
    ok: () => [remote(["context", "list"]), inLocal(["context", "list"])],
    fail: () => remote(["context", "list", "--no-such-flag"]),
  },
  "context-use": {
    ok: () => [remote(["context", "use", "local"]), remote(["context", "use", "default"])],
    fail: () => remote(["context", "use", "no-such-context"]),
  },
  "context-remove": {
    ok: () => {
      const second = JSON.parse(remote(["token", "create", "--description", "second context"]).stdout) as {
        token: string;
      };
      expect(remote(["login", "--context", "second", "--url", url, "--token", second.token]).code).toBe(0);
      return [remote(["context", "remove", "second"])];
    },
    fail: () => remote(["context", "remove", "no-such-context"]),
  },
  logout: {
    ok: () => [remote(["logout"]), remote(["logout"])],
    fail: () => remote(["logout"], { COFFER_CONTEXT: "no-such-context" }),
  },
};

describe("--json: one documented shape per command", () => {
  it("has a schema file for every command of the command tree, and no other", () => {
    const files = readdirSync(schemaDir).filter((name) => name.endsWith(".json"));
    expect(files.filter((name) => !SHARED.includes(name)).sort()).toEqual(
      commandNames.map((name) => `${name}.json`).sort(),
    );
  });

  it("runs every command of the command tree below", () => {
    expect(Object.keys(cases).sort()).toEqual([...commandNames].sort());
  });

  it("lists in error.json exactly the error codes the command prints (exit-codes.ts)", () => {
    const schema = JSON.parse(readFileSync(path.join(schemaDir, "error.json"), "utf8"));
    expect([...schema.properties.error.properties.code.enum].sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each(Object.keys(cases))("%s --json: success and failure match the schemas", (name) => {
    const { ok, fail } = cases[name]!;
    for (const [index, run] of ok().entries()) {
      const where = `${name} run ${index + 1}`;
      if (printsNoJson(name)) {
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toMatch(cases[name]!.prints ?? /(?!)/);
        continue;
      }
      expectValid(name, resultOf(run, where), where);
    }
    const failed = fail();
    expectValid("error", errorOf(failed, `${name} failure`), `${name} failure`);
  });
});

describe("--json: what issue 14 found", () => {
  it("get --key prints the secret's object with that key's value, not a bare string", () => {
    local.ok(["secret", "create", "api", "--token=fake-token", "--other=fake-other"]);
    const got = JSON.parse(local.ok(["secret", "get", "api", "--key", "token", "--json"]));
    expect(got).toMatchObject({ name: "api", values: { token: "fake-token" } });
    expect(Object.keys(got.values)).toEqual(["token"]);
  });

  it("delete prints the secret, not {deleted: …}", () => {
    local.ok(["secret", "create", "gone", "--k=fake-v"]);
    const deleted = JSON.parse(local.ok(["secret", "delete", "gone", "-y", "--json"]));
    expect(deleted).toMatchObject({ name: "gone", keys: ["k"] });
    expect(deleted).not.toHaveProperty("deleted");
  });

  it("export --json -o - prints JSON, not YAML", () => {
    const exported = JSON.parse(local.ok(["secret", "export", "api", "--json", "-o", "-"]));
    expect(exported).toMatchObject({ output: "-", format: "json", values: { token: "fake-token" } });
  });

  it("export -o api.txt is refused (exit 2) and writes nothing; -o .env writes dotenv", () => {
    const target = path.join(work, "refused.txt");
    const refused = local.run(["secret", "export", "api", "-o", target, "--json"]);
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stderr).error).toMatchObject({ code: "USAGE", exitCode: 2 });
    expect(refused.stderr).not.toContain("fake-token");
    expect(() => statSync(target)).toThrow();
    const written = JSON.parse(
      local.ok(["secret", "export", "api", "-o", path.join(work, ".env"), "--json"]),
    );
    expect(written).toMatchObject({ format: "dotenv", output: path.join(work, ".env") });
  });

  it("run's own failure to start the command is JSON too, with the shell's exit code", () => {
    const missing = local.run(["--json", "run", "-s", "api", "--", "no-such-program-anywhere"]);
    expect(missing.code).toBe(127);
    const reported = JSON.parse(missing.stderr);
    expectValid("error", reported, "run of a missing program");
    expect(reported.error).toMatchObject({ code: "NOT_FOUND", exitCode: 127 });
  });

  it("usage errors use the same code style as the core's (USAGE, not usage)", () => {
    const usage = local.run(["secret", "get", "--json"]);
    expect(JSON.parse(usage.stderr).error).toMatchObject({ code: "USAGE", exitCode: 2 });
    const notFound = local.run(["secret", "get", "nothing", "--json"]);
    expect(JSON.parse(notFound.stderr).error).toMatchObject({ code: "NOT_FOUND", exitCode: 3 });
  });
});

// The ways to get a `coffer` command: the launcher `./dev install` writes (the one every CLI test
// runs, see helpers.ts), `./dev coffer`, and dist/bin.js run directly by an old Node.js. Each must
// run in the caller's working directory, and an old Node.js must get a clear message, not a crash.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/exit-codes.js";
import { BIN, COMMAND, session, tempDir } from "./helpers.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const engines = (
  JSON.parse(readFileSync(path.join(root, "packages/cli/package.json"), "utf8")) as {
    engines: { node: string };
  }
).engines.node;
/** The oldest Node.js the CLI runs on, from package.json's `engines` (">=22.13" → "22.13"). */
const minimum = engines.replace(/^>=\s*/, "");

function nodeVersion(node: string): string | undefined {
  const result = spawnSync(node, ["-p", "process.versions.node"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
}
function older(version: string, than: string): boolean {
  const a = version.split(".").map(Number);
  const b = than.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

/** The machine's own Node.js (Debian 12's is 20), when it has one older than Coffer needs. */
const systemNode = "/usr/bin/node";
const systemVersion = existsSync(systemNode) ? nodeVersion(systemNode) : undefined;
const oldSystemNode = systemVersion !== undefined && older(systemVersion, minimum) ? systemNode : undefined;

function expectVersionRefusal(result: ReturnType<typeof spawnSync>, version: string, dataDir: string) {
  expect(result.status).toBe(EXIT_CODES.config.code);
  const stderr = String(result.stderr);
  expect(stderr.trim().split("\n")).toHaveLength(1);
  expect(stderr).toContain(`Coffer needs Node.js ${minimum}`);
  expect(stderr).toContain(`this is Node.js ${version}`);
  expect(stderr).toContain("Install Node.js 24");
  expect(stderr).toContain("./dev install");
  expect(stderr).not.toContain("Unexpected error");
  expect(String(result.stdout)).toBe("");
  expect(existsSync(path.join(dataDir, "coffer.db")), "nothing written").toBe(false);
}

describe("an older Node.js running dist/bin.js", () => {
  it.runIf(oldSystemNode)(
    `stops at once with what to install (the system's ${systemNode}, Node.js ${systemVersion})`,
    () => {
      const dataDir = tempDir();
      const result = spawnSync(oldSystemNode!, [BIN, "secret", "list"], {
        cwd: tempDir(),
        env: { PATH: "/usr/bin:/bin", HOME: dataDir, COFFER_DATA_DIR: dataDir, COFFER_USER: "alice" },
        encoding: "utf8",
      });
      expectVersionRefusal(result, systemVersion!, dataDir);
    },
  );

  // Also where the machine has no old Node.js: the toolchain's, told it is 20.
  it("stops at once with what to install (the version check on its own)", () => {
    const dataDir = tempDir();
    const pretend = tempDir();
    writeFileSync(
      path.join(pretend, "old.mjs"),
      'Object.defineProperty(process.versions, "node", { value: "20.18.1" });\n',
    );
    const result = spawnSync(
      process.execPath,
      ["--import", path.join(pretend, "old.mjs"), BIN, "secret", "list"],
      {
        cwd: tempDir(),
        env: { PATH: "/usr/bin:/bin", HOME: dataDir, COFFER_DATA_DIR: dataDir, COFFER_USER: "alice" },
        encoding: "utf8",
      },
    );
    expectVersionRefusal(result, "20.18.1", dataDir);
  });
});

describe("the installed coffer command", () => {
  it("is the launcher that ./dev install writes, with the toolchain's Node.js in it", () => {
    expect(path.basename(COMMAND)).toBe("coffer");
    const launcher = readFileSync(COMMAND, "utf8");
    expect(launcher).toContain(BIN);
    expect(launcher).toContain(process.execPath);
  });

  it("works in the caller's directory: relative @file, run -- pwd, secret export", () => {
    const s = session();
    const here = tempDir("coffer-caller-");
    mkdirSync(path.join(here, "conf"));
    writeFileSync(path.join(here, "conf", "password.txt"), "fake-password-from-file");
    s.ok(["secret", "create", "db", "--password=@conf/password.txt"], { cwd: here });
    expect(s.ok(["secret", "get", "db", "--key", "password"], { cwd: here }).trim()).toBe(
      "fake-password-from-file",
    );
    expect(s.ok(["run", "-s", "db", "--", "pwd"], { cwd: here }).trim()).toBe(realpathSync(here));
    s.ok(["secret", "export", "db", "-o", "db.yaml"], { cwd: here });
    expect(readFileSync(path.join(here, "db.yaml"), "utf8")).toContain("fake-password-from-file");
    expect(existsSync(path.join(root, "db.yaml")), "nothing in the checkout").toBe(false);
    expect(existsSync(path.join(root, "packages/cli/db.yaml")), "nothing in the checkout").toBe(false);
  });

  it.runIf(oldSystemNode)("runs when the only node on the PATH is the system's old one", () => {
    const s = session();
    const result = s.run(["secret", "list"], { env: { ...s.env, PATH: "/usr/bin:/bin" } });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  // Node reads `--env-file FILE` itself even after the script's path (nodejs/node#54232) and would
  // apply FILE's NODE_OPTIONS to coffer's own process; the launcher and bin.js's shebang end Node's
  // options with `--`, so every argument after the command's name is coffer's.
  it.each([
    ["the installed launcher", () => COMMAND],
    ["dist/bin.js through its shebang", () => BIN],
  ])("%s leaves every argument to coffer, --env-file included", (_name, command) => {
    const dir = tempDir("coffer-env-file-");
    const marker = path.join(dir, "node-options-ran");
    const hook = path.join(dir, "hook.cjs");
    writeFileSync(hook, `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "ran");`);
    writeFileSync(path.join(dir, "evil.env"), `NODE_OPTIONS="--require ${hook}"\n`);
    const s = session();
    for (const file of ["evil.env", "missing.env"]) {
      const args = ["secret", "list", `--env-file=${file}`];
      const result = spawnSync(command(), args, { cwd: dir, env: s.env, encoding: "utf8" });
      expect(result.stderr, args.join(" ")).not.toContain("not found");
      expect(existsSync(marker), "the file's NODE_OPTIONS never ran").toBe(false);
      expect(result.status, args.join(" ")).toBe(EXIT_CODES.usage.code);
    }
  });

  it("says what to do when the Node.js it was installed with is gone (exit 6)", () => {
    const dir = tempDir("coffer-gone-");
    const node = path.join(dir, "node");
    symlinkSync(process.execPath, node);
    const install = spawnSync(
      "bash",
      [path.join(root, "scripts/install-launcher.sh"), path.join(dir, "prefix"), node],
      {
        encoding: "utf8",
      },
    );
    expect(install.status, install.stderr).toBe(0);
    const launcher = install.stdout.trim();
    expect(spawnSync(launcher, ["--version"], { encoding: "utf8" }).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    unlinkSync(node);
    const result = spawnSync(launcher, ["--version"], { cwd: dir, encoding: "utf8" });
    expect(result.status).toBe(EXIT_CODES.config.code);
    expect(result.stderr).toContain("Run ./dev install again");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("./dev", () => {
  const dev = path.join(root, "dev");

  it("install --prefix writes a launcher that runs from any directory", { timeout: 90_000 }, () => {
    const caller = tempDir("coffer-caller-");
    const result = spawnSync("bash", [dev, "install", "--prefix", "tools"], {
      cwd: caller,
      env: { PATH: "/usr/bin:/bin", HOME: caller },
      encoding: "utf8",
      timeout: 80_000,
    });
    expect(result.status, result.stderr).toBe(0);
    const launcher = path.join(caller, "tools", "bin", "coffer");
    expect(result.stderr).toContain(`installed ${launcher}`);
    const dataDir = tempDir();
    const env = { PATH: "/usr/bin:/bin", HOME: dataDir, COFFER_DATA_DIR: dataDir, COFFER_USER: "alice" };
    const created = spawnSync(launcher, ["secret", "create", "api", "--token=fake-token"], {
      cwd: caller,
      env,
    });
    expect(created.status, String(created.stderr)).toBe(0);
    const pwd = spawnSync(launcher, ["run", "-s", "api", "--", "pwd"], {
      cwd: caller,
      env,
      encoding: "utf8",
    });
    expect(pwd.stdout.trim()).toBe(realpathSync(caller));
  });

  it("coffer runs in the caller's directory", { timeout: 90_000 }, () => {
    const caller = tempDir("coffer-caller-");
    const dataDir = tempDir();
    const env = { PATH: "/usr/bin:/bin", HOME: dataDir, COFFER_DATA_DIR: dataDir, COFFER_USER: "alice" };
    writeFileSync(path.join(caller, "token.txt"), "fake-token-from-file");
    const created = spawnSync("bash", [dev, "coffer", "secret", "create", "api", "--token=@token.txt"], {
      cwd: caller,
      env,
      encoding: "utf8",
      timeout: 80_000,
    });
    expect(created.status, created.stderr).toBe(0);
    const pwd = spawnSync("bash", [dev, "coffer", "run", "-s", "api", "--", "pwd"], {
      cwd: caller,
      env,
      encoding: "utf8",
      timeout: 80_000,
    });
    expect(pwd.stdout.trim()).toBe(realpathSync(caller));
  });
});

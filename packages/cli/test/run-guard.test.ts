// `coffer run` refuses variables that change how programs load or run (env-guard.ts): whoever may
// write a secret must not choose the code its readers run. Checked with real child processes: the
// refused keys must not load a script, preload a library or replace PATH.
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { refusedBecause } from "../src/env-guard.js";
import { session, tempDir } from "./helpers.js";

const node = process.execPath;

/** A script that, if any Node.js child loads it, leaves a marker file behind. */
function evilScript() {
  const dir = tempDir("coffer-evil-");
  const marker = path.join(dir, "loaded");
  const script = path.join(dir, "evil.cjs");
  writeFileSync(script, `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "fake-evil-ran");\n`);
  return { script, marker };
}

describe("the refused variables", () => {
  it("covers the loader, shells, runtimes, PATH and git, and lets ordinary names through", () => {
    for (const name of [
      "LD_PRELOAD",
      "LD_AUDIT",
      "LD_LIBRARY_PATH",
      "DYLD_INSERT_LIBRARIES",
      "NODE_OPTIONS",
      "BASH_ENV",
      "ENV",
      "PATH",
      "PYTHONPATH",
      "PYTHONSTARTUP",
      "PERL5OPT",
      "RUBYOPT",
      "JAVA_TOOL_OPTIONS",
      "GIT_SSH_COMMAND",
      "GIT_CONFIG_KEY_0",
      "BASH_FUNC_ls%%",
      "GCONV_PATH",
    ]) {
      expect(refusedBecause(name), name).toBeDefined();
    }
    for (const name of [
      "PASSWORD",
      "DATABASE_URL",
      "NODE_ENV",
      "GIT_TOKEN",
      "LDAP_URL",
      "PATHS",
      "HOMEPAGE",
    ]) {
      expect(refusedBecause(name), name).toBeUndefined();
    }
  });
});

describe("coffer run with keys that change how programs run", () => {
  it("refuses node_options, ld_preload, bash_env and path: exit 5, nothing run, each key named", () => {
    const { script, marker } = evilScript();
    const s = session();
    s.ok([
      "secret",
      "create",
      "shared",
      `--node_options=--require=${script}`,
      "--ld_preload=/nonexistent/fake-evil.so",
      `--bash_env=${script}`,
      "--path=/nonexistent/fake-evil-bin",
      "--password=fake-password-1",
    ]);
    const result = s.run(["run", "-s", "shared", "--", node, "-e", "console.log('ran')"]);
    expect(result.code).toBe(5);
    expect(result.stdout).toBe("");
    expect(existsSync(marker)).toBe(false);
    for (const [key, variable] of [
      ["node_options", "NODE_OPTIONS"],
      ["ld_preload", "LD_PRELOAD"],
      ["bash_env", "BASH_ENV"],
      ["path", "PATH"],
    ]) {
      expect(result.stderr).toContain(`the key '${key}' of secret 'shared' would set ${variable}`);
      expect(result.stderr).toContain(`--allow-env ${variable}`);
    }
    expect(result.stderr).not.toContain("password");
    // Values are never quoted in the error.
    expect(result.stderr).not.toContain(script);
    expect(result.stderr).not.toContain("fake-evil");
  });

  it("a PATH key is refused, so the caller's PATH is never replaced", () => {
    const s = session();
    s.ok(["secret", "create", "tools", "--path=/nonexistent/fake-evil-bin"]);
    const result = s.run(["run", "-s", "tools", "--", "sh", "-c", 'echo "$PATH"']);
    expect(result.code).toBe(5);
    expect(result.stdout).toBe("");
  });

  it("--allow-env NAME lets exactly that variable through", () => {
    const { script, marker } = evilScript();
    const s = session();
    s.ok(["secret", "create", "tooling", `--node_options=--require=${script}`, "--editor=fake-editor"]);
    // Allowing one of two refused variables is not enough.
    const partly = s.run(["run", "-s", "tooling", "--allow-env", "NODE_OPTIONS", "--", node, "-e", "0"]);
    expect(partly.code).toBe(5);
    expect(partly.stderr).toContain("would set EDITOR");
    expect(partly.stderr).not.toContain("would set NODE_OPTIONS");
    expect(existsSync(marker)).toBe(false);
    const out = s.ok([
      "run",
      "-s",
      "tooling",
      "--allow-env",
      "NODE_OPTIONS,EDITOR",
      "--",
      node,
      "-e",
      "console.log(process.env.EDITOR)",
    ]);
    expect(out.trim()).toBe("fake-editor");
    expect(existsSync(marker)).toBe(true);
    expect(s.run(["run", "-s", "tooling", "--allow-env", "node_options", "--", node, "-e", "0"]).code).toBe(
      2,
    );
  });

  it("--prefix names are checked too: secret 'node' with key 'options' is NODE_OPTIONS", () => {
    const { script, marker } = evilScript();
    const s = session();
    s.ok(["secret", "create", "node", `--options=--require=${script}`]);
    s.ok(["secret", "create", "ld", "--preload=/nonexistent/fake-evil.so"]);
    const result = s.run(["run", "-s", "node,ld", "--prefix", "--", node, "-e", "console.log('ran')"]);
    expect(result.code).toBe(5);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("the key 'options' of secret 'node' would set NODE_OPTIONS");
    expect(result.stderr).toContain("the key 'preload' of secret 'ld' would set LD_PRELOAD");
    expect(existsSync(marker)).toBe(false);
  });

  it("local overrides (COFFER_LOCAL_SECRET_*) are checked too, and the error says where they came from", () => {
    const { script, marker } = evilScript();
    const s = session();
    const result = s.run(["run", "-s", "shared", "--", node, "-e", "console.log('ran')"], {
      env: { COFFER_LOCAL_SECRET_SHARED: JSON.stringify({ node_options: `--require=${script}` }) },
    });
    expect(result.code).toBe(5);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      "the key 'node_options' of secret 'shared' (a local override from COFFER_LOCAL_SECRET_SHARED) would set NODE_OPTIONS",
    );
    expect(existsSync(marker)).toBe(false);
  });
});

describe("the README", () => {
  it("lists exactly the refused variables", async () => {
    const { readFileSync } = await import("node:fs");
    const { REFUSED_VARIABLES } = await import("../src/env-guard.js");
    const readme = readFileSync(path.resolve(import.meta.dirname, "../../../README.md"), "utf8");
    const table = readme.slice(
      readme.indexOf("| what reads them"),
      readme.indexOf("Variables already in your own"),
    );
    const listed = [...table.matchAll(/`([A-Z0-9_]+\*?)`/g)].map((match) => match[1]).sort();
    const expected = REFUSED_VARIABLES.map((v) => (v.prefix ? `${v.name}*` : v.name)).sort();
    expect(listed).toEqual(expected);
  });
});

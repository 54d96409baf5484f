// examples/app as a user's project outside this checkout: `./dev pack`'s tarballs installed with
// npm (no registry copy of Coffer; third-party packages from the npm registry, or npm's cache),
// then `tsc --strict` and the app's own test. The app and the tarballs are copied into a temporary
// directory laid out like the checkout (examples/app beside dist/packages), so the app's `file:`
// dependencies resolve as they do in the checkout, and nothing is written into the checkout.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { packagesToPack, tarballName } from "../pack.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const work = mkdtempSync(path.join(tmpdir(), "coffer-example-app-"));
const app = path.join(work, "examples", "app");
// The Node.js running the tests is the toolchain's; its npm is beside it.
const nodeBin = path.dirname(process.execPath);
const env = {
  ...process.env,
  PATH: `${nodeBin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
  npm_config_update_notifier: "false",
};

afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string, timeout = 300_000) {
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8", timeout });
  const output = `$ ${command} ${args.join(" ")}\n${result.stdout}${result.stderr}${result.error ?? ""}`;
  return { status: result.status, output };
}

describe("examples/app, installed from the packed tarballs", () => {
  it("names every package ./dev pack makes, as a file: dependency", () => {
    const manifest = JSON.parse(readFileSync(path.join(root, "examples/app/package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const expected = Object.fromEntries(
      packagesToPack().map((name) => [name, `file:../../dist/packages/${tarballName(name)}`]),
    );
    expect(manifest.dependencies).toEqual(expected);
  });

  it("packs, installs with npm, passes tsc --strict and its own test", () => {
    const pack = run(
      process.execPath,
      [path.join(root, "scripts/pack.mjs"), "--out", path.join(work, "dist/packages")],
      root,
    );
    expect(pack.status, pack.output).toBe(0);
    cpSync(path.join(root, "examples/app"), app, {
      recursive: true,
      filter: (source) => !/[/\\](node_modules|package-lock\.json)$/.test(source),
    });

    // --prefer-offline: what npm's cache holds is not fetched again, so a second run is quick.
    const install = run(
      "npm",
      ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"],
      app,
    );
    expect(install.status, install.output).toBe(0);
    const installed = JSON.parse(
      readFileSync(path.join(app, "node_modules/@coffer/client/package.json"), "utf8"),
    ) as { dependencies: Record<string, string> };
    // pnpm pack turned workspace: ranges into versions.
    expect(Object.values(installed.dependencies).join(" ")).not.toContain("workspace:");
    expect(existsSync(path.join(app, "node_modules/.bin/coffer"))).toBe(true);

    const typecheck = run(path.join(app, "node_modules/.bin/tsc"), ["--noEmit", "--strict"], app);
    expect(typecheck.status, typecheck.output).toBe(0);

    const test = run("npm", ["test"], app);
    expect(test.status, test.output).toBe(0);
    expect(test.output).toMatch(/# pass 3\b|ℹ pass 3\b/);
  });
});

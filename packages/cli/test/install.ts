// vitest globalSetup of the CLI's tests: installs the `coffer` command once per run, the way
// `./dev install` does (scripts/install-launcher.sh), into a throw-away prefix, and hands its path
// to the tests (helpers.ts launches it). So every test runs the installed command, not bin.js.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  interface ProvidedContext {
    /** The installed launcher: PREFIX/bin/coffer. */
    cofferCommand: string;
  }
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export default function setup(project: TestProject) {
  const prefix = mkdtempSync(path.join(tmpdir(), "coffer-cli-prefix-"));
  // process.execPath: the toolchain's Node.js, which ./dev install would pick too.
  const result = spawnSync(
    "bash",
    [path.join(root, "scripts/install-launcher.sh"), prefix, process.execPath],
    {
      encoding: "utf8",
    },
  );
  if (result.status !== 0) throw new Error(`installing the coffer launcher failed:\n${result.stderr}`);
  project.provide("cofferCommand", result.stdout.trim());
  return () => rmSync(prefix, { recursive: true, force: true });
}

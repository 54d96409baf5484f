// What `coffer secret get` loads at start: not the backup archive code (@coffer/backup with
// age-encryption and the noble libraries), which the service loads on first use
// (packages/service/src/archives-on-demand.ts) and which cost ~14 ms of CPU per start when it was loaded eagerly.
// The files a process loads are recorded by a module.registerHooks() load hook given to
// `node --import`, on the built command (dist/bin.js) that the installed launcher runs.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BIN, MODE, OUTSIDE, session, tempDir } from "./helpers.js";

/** A string of age-encryption's own code (its post-quantum recipient type), in no other file. */
const AGE_MARKER = "mlkem768x25519";
const RECIPIENT = "age1ue4dqcvpq6g8ef8h857uypavt23rq203lqued9m80ym5dqfzcalsf6prtr";

/** Runs the built command with a hook that lists every file it loads; the files' paths. */
function loadedFiles(args: string[], env: Record<string, string>): string[] {
  const work = tempDir("coffer-start-up-");
  const list = path.join(work, "loaded.txt");
  const recorder = path.join(work, "recorder.mjs");
  writeFileSync(list, "");
  writeFileSync(
    recorder,
    [
      'import { appendFileSync } from "node:fs";',
      'import { registerHooks } from "node:module";',
      "registerHooks({",
      "  load(url, context, nextLoad) {",
      `    if (url.startsWith("file:")) appendFileSync(${JSON.stringify(list)}, url + "\\n");`,
      "    return nextLoad(url, context);",
      "  },",
      "});",
    ].join("\n"),
  );
  const result = spawnSync(process.execPath, ["--import", recorder, BIN, ...args], {
    env,
    cwd: OUTSIDE,
    encoding: "utf8",
  });
  expect(result.status, result.stderr).toBe(0);
  return readFileSync(list, "utf8")
    .split("\n")
    .filter((url) => url !== "")
    .map((url) => fileURLToPath(url));
}

const withAge = (files: string[]) => files.filter((file) => readFileSync(file, "utf8").includes(AGE_MARKER));

// In remote mode the archive code runs in the server, not in the command: nothing to see here.
describe.skipIf(MODE === "remote")("what a command loads at start", () => {
  it("secret get loads no backup archive code; backup does, on demand", () => {
    const s = session();
    s.ok(["secret", "create", "db", "--password=fake-start-up-value"]);

    const get = loadedFiles(["secret", "get", "db", "--key", "password"], s.env);
    expect(get.some((file) => file.includes(`${path.sep}chunks${path.sep}secret-read-`))).toBe(true);
    expect(withAge(get)).toEqual([]);

    // The marker does find the archive code where it is used: the check above can fail.
    const archive = path.join(tempDir("coffer-start-up-archive-"), "backup.age");
    const backup = loadedFiles(["backup", "-o", archive, "--recipient", RECIPIENT, "--json"], s.env);
    expect(withAge(backup)).not.toEqual([]);
  });
});

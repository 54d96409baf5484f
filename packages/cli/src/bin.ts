#!/usr/bin/env -S node --
// The `coffer` command's entry point (dist/bin.js). It checks the Node.js version before anything
// else loads: on an older Node the rest fails deep inside with a message that blames Coffer
// ("Cannot destructure property 'DatabaseSync'…", node:sqlite being absent). So this file imports
// nothing and uses only syntax and globals that old Node versions parse and have (no top-level
// await, no optional chaining), then loads the command itself (start.ts) with a dynamic import.

/** The oldest Node.js that runs the command: node:sqlite without a flag. Same as package.json's engines. */
const MIN_NODE = "22.13.0";
/** Exit code for a wrong environment, the README's "configuration" (EXIT_CODES.config; a test checks). */
const EXIT_CONFIGURATION = 6;

function atLeast(version: string, minimum: string): boolean {
  const have = version.split(".").map(Number);
  const want = minimum.split(".").map(Number);
  for (let i = 0; i < want.length; i++) {
    const a = have[i] || 0;
    const b = want[i] || 0;
    if (a !== b) return a > b;
  }
  return true;
}

const running = process.versions.node;
if (!atLeast(running, MIN_NODE)) {
  process.stderr.write(
    `Coffer needs Node.js ${MIN_NODE} or later, and this is Node.js ${running} (${process.execPath}). ` +
      "Install Node.js 24 (from nodejs.org or your package manager, e.g. `nvm install 24`), or run " +
      "`./dev install` in a Coffer checkout: its `coffer` launcher brings its own Node.js 24.\n",
  );
  process.exit(EXIT_CONFIGURATION);
}

import("./start.js").catch((error: unknown) => {
  process.stderr.write(`Unexpected error: could not load the coffer command: ${String(error)}\n`);
  process.exit(1);
});

#!/usr/bin/env node
// The `coffer` command (built into dist/ by build.mjs).
import module from "node:module";

// Node's on-disk compile cache: later starts skip compiling Coffer's JavaScript.
module.enableCompileCache?.();

// A custom store plugin (COFFER_STORE_TYPE=custom) imports @coffer/core from its own node_modules;
// hand it the copy bundled here instead, so that its errors are instances of the service's classes
// (SecretNotFoundError, …) and not look-alikes from a second copy.
// Only when a plugin may be loaded: a custom store type, or a configuration file that may name one.
const env = process.env;
const argv = process.argv;
if (
  env.COFFER_STORE_TYPE === "custom" ||
  env.COFFER_BACKUP_STORE_TYPE === "custom" ||
  env.COFFER_CONFIG_FILE ||
  argv.some((arg) => arg === "--config" || arg.startsWith("--config="))
) {
  const bundledCore = new URL("./plugin-core.js", import.meta.url).href;
  module.registerHooks?.({
    resolve(specifier, context, nextResolve) {
      if (specifier === "@coffer/core") return { url: bundledCore, format: "module", shortCircuit: true };
      return nextResolve(specifier, context);
    },
  });
}

// A reader that goes away (`coffer secret list | head -1`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(process.exitCode ?? 0);
  });
}

const { main } = await import("./main.js");
process.exitCode = await main(process.argv.slice(2));

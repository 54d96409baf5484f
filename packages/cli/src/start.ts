// The `coffer` command once bin.ts has found a Node.js that runs it (built into dist/start.js).
import module from "node:module";

// Node's on-disk compile cache: later starts skip compiling Coffer's JavaScript.
module.enableCompileCache?.();

// A store that is not bundled — a cloud store (see build.mjs) or a custom plugin — imports
// @coffer/core from node_modules; hand it the copy bundled here instead, so that its errors are
// instances of the service's classes (SecretNotFoundError, …) and not look-alikes from a second
// copy. Only when such a store may be loaded: a store type other than the embedded ones, or a
// configuration file that may name one.
const embedded = (type: string | undefined) => !type || type === "sql" || type === "memory";
const env = process.env;
if (
  !embedded(env.COFFER_STORE_TYPE) ||
  !embedded(env.COFFER_BACKUP_STORE_TYPE) ||
  env.COFFER_CONFIG_FILE ||
  process.argv.some((arg) => arg === "--config" || arg.startsWith("--config="))
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

// With --debug, stack traces name the TypeScript sources (dist/ ships source maps); only then,
// since reading maps costs start-up time.
if (process.argv.includes("--debug")) process.setSourceMapsEnabled(true);

const { main } = await import("./main.js");
process.exitCode = await main(process.argv.slice(2));

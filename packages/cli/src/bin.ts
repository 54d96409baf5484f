#!/usr/bin/env node
// The `coffer` command. Node's compile cache (on disk, per user) makes the second and later starts
// skip compiling Coffer's JavaScript; it is turned on before anything else is loaded.
import module from "node:module";

module.enableCompileCache?.();
const { main } = await import("./main.js");
process.exitCode = await main(process.argv.slice(2));

// Bundles the coffer command into dist/ with esbuild. Why: `coffer secret get` must start fast, and
// loading Coffer and its dependencies file by file (zod, kysely, yaml… several hundred modules)
// costs several times what Node itself takes to start. One bundle, split so that each subcommand,
// each store type and each database driver loads only when used, does not.
//
//   dist/bin.js           the command: checks the Node.js version, then loads start.js (bin.ts says why)
//   dist/start.js         compile cache, plugin hook, then main
//   dist/plugin-core.js   @coffer/core as bundled here, handed to custom store plugins (see start.ts)
//   dist/chunks/*.js      the rest, loaded on demand
//
// The database drivers and the YAML parser stay out of the bundle: @coffer/sql and @coffer/core
// import them only when a server database or a configuration file is used, and then they load from
// node_modules. One substitution keeps start-up work to what a command uses: commander's
// child_process import (for executable subcommands, which coffer has none of) is cut
// (build/commander-no-spawn.js). (The service loads @coffer/backup, age and the noble crypto
// libraries, on first use itself: archives-on-demand.ts there.)
//
// And Node's built-in modules are taken with process.getBuiltinModule() rather than imported: an
// ESM import of a built-in makes Node copy every export into a facade, which runs their lazy
// getters — `import process from "node:process"` creates stdin, stdout and stderr, and
// `node:fs` loads the streams module — work that no coffer command needs at start.
import { readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.dirname(fileURLToPath(import.meta.url));
const builtins = new RegExp(
  `^(node:.*|${builtinModules.map((name) => name.replace(/[/]/g, "\\/")).join("|")})$`,
);
const standIns = {
  name: "stand-ins",
  setup(builder) {
    builder.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes(`${path.sep}commander${path.sep}`)
        ? { path: path.join(root, "build", "commander-no-spawn.js") }
        : undefined,
    );
    builder.onResolve({ filter: builtins }, (args) => ({
      path: args.path.startsWith("node:") ? args.path : `node:${args.path}`,
      namespace: "builtin",
    }));
    builder.onLoad({ filter: /.*/, namespace: "builtin" }, (args) => ({
      contents: builtinStandIn(args.path),
      loader: "js",
    }));
  },
};

/**
 * An ES module standing in for a built-in: its default export is the module itself, and its named
 * exports are the module's plain properties. Not a CommonJS `module.exports = …`, because esbuild
 * turns an import of that into a copy of every property — which runs the module's lazy getters
 * (`fs.promises`, `crypto.webcrypto`…) and loads what they load. Getters are left out of the named
 * exports for the same reason; an import of one fails the build, and code reads it off the default.
 */
function builtinStandIn(specifier) {
  const builtin = process.getBuiltinModule(specifier);
  const names = Object.entries(Object.getOwnPropertyDescriptors(builtin))
    .filter(
      ([name, descriptor]) => "value" in descriptor && /^[A-Za-z_$][\w$]*$/.test(name) && name !== "default",
    )
    .map(([name]) => name);
  return [
    `const builtin = process.getBuiltinModule(${JSON.stringify(specifier)});`,
    "export default builtin;",
    `export const { ${names.join(", ")} } = builtin;`,
  ].join("\n");
}

const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const { version } = pkg;

// The cloud stores stay out of the bundle: their SDKs find files next to their own code
// (__dirname, proto definitions), which a bundle cannot keep. @coffer/stores imports each one
// only when configured, and here that import resolves to the package, a dependency of this one;
// start.ts hands them the bundle's @coffer/core. The embedded stores (sql, memory) are bundled.
const EMBEDDED_STORES = ["@coffer/store-sql", "@coffer/store-memory"];
const storesPkg = JSON.parse(readFileSync(path.resolve(root, "../stores/package.json"), "utf8"));
// The sql store's KMS key sources (@coffer/kms-*) carry cloud SDKs too: kept out the same way.
const externalStores = Object.keys(storesPkg.dependencies).filter(
  (name) =>
    (name.startsWith("@coffer/store-") && !EMBEDDED_STORES.includes(name)) || name.startsWith("@coffer/kms-"),
);
const undeclared = externalStores.filter((name) => !pkg.dependencies?.[name]);
if (undeclared.length > 0) {
  throw new Error(`add ${undeclared.join(", ")} to the dependencies of @coffer/cli (see build.mjs)`);
}

rmSync(path.join(root, "dist"), { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { bin: "src/bin.ts", start: "src/start.ts", "plugin-core": "src/plugin-core.ts" },
  outdir: "dist",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  sourcemap: "linked",
  minify: process.env.COFFER_BUNDLE_MINIFY !== "0",
  define: { __COFFER_VERSION__: JSON.stringify(version) },
  // The server (`coffer server start`) loads from node_modules too: no other command needs it.
  external: [...externalStores, "pg", "mysql2", "yaml", "@coffer/server"],
  plugins: [standIns],
  logLevel: "warning",
  metafile: true,
});
if (process.env.COFFER_BUNDLE_META)
  (await import("node:fs")).writeFileSync(process.env.COFFER_BUNDLE_META, JSON.stringify(result.metafile));

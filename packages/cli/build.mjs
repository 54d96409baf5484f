// Bundles the coffer command into dist/ with esbuild. Why: `coffer secret get` must start fast, and
// loading Coffer and its dependencies file by file (zod, kysely, yaml… several hundred modules)
// costs several times what Node itself takes to start. One bundle, split so that each subcommand,
// each store type and each database driver loads only when used, does not.
//
//   dist/bin.js           the command (tiny: compile cache, plugin hook, then main)
//   dist/plugin-core.js   @coffer/core as bundled here, handed to custom store plugins (see bin.ts)
//   dist/chunks/*.js      the rest, loaded on demand
//
// Three substitutions keep start-up work to what a command uses (each stand-in is in build/):
// - the PostgreSQL and MySQL drivers, which @coffer/sql imports eagerly, are required on first use
//   (and stay out of the bundle, loaded from node_modules);
// - the YAML parser, which @coffer/core imports for configuration files, is evaluated on first use;
// - commander's child_process import (for executable subcommands, which coffer has none of) is cut.
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
const core = path.resolve(root, "../core/dist");
const builtins = new RegExp(
  `^(node:.*|${builtinModules.map((name) => name.replace(/[/]/g, "\\/")).join("|")})$`,
);
const standIns = {
  name: "stand-ins",
  setup(builder) {
    builder.onResolve({ filter: /^(pg|mysql2)$/ }, (args) => ({
      path: path.join(root, "build", `lazy-${args.path}.js`),
    }));
    builder.onResolve({ filter: /^yaml$/ }, (args) =>
      args.importer.startsWith(core) ? { path: path.join(root, "build", "lazy-yaml.js") } : undefined,
    );
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
      contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});`,
      loader: "js",
    }));
  },
};

const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const { version } = pkg;

// The cloud stores stay out of the bundle: their SDKs find files next to their own code
// (__dirname, proto definitions), which a bundle cannot keep. @coffer/stores imports each one
// only when configured, and here that import resolves to the package, a dependency of this one;
// bin.ts hands them the bundle's @coffer/core. The embedded stores (sql, memory) are bundled.
const EMBEDDED_STORES = ["@coffer/store-sql", "@coffer/store-memory"];
const storesPkg = JSON.parse(readFileSync(path.resolve(root, "../stores/package.json"), "utf8"));
const externalStores = Object.keys(storesPkg.dependencies).filter(
  (name) => name.startsWith("@coffer/store-") && !EMBEDDED_STORES.includes(name),
);
const undeclared = externalStores.filter((name) => !pkg.dependencies?.[name]);
if (undeclared.length > 0) {
  throw new Error(`add ${undeclared.join(", ")} to the dependencies of @coffer/cli (see build.mjs)`);
}

rmSync(path.join(root, "dist"), { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { bin: "src/bin.ts", "plugin-core": "src/plugin-core.ts" },
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
  external: externalStores,
  plugins: [standIns],
  logLevel: "warning",
  metafile: true,
});
if (process.env.COFFER_BUNDLE_META)
  (await import("node:fs")).writeFileSync(process.env.COFFER_BUNDLE_META, JSON.stringify(result.metafile));

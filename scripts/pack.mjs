// `./dev pack [--out DIR]`: packs the packages a user installs — @coffer/core, @coffer/client,
// @coffer/cli — and every workspace package they depend on, into npm tarballs, as `npm publish`
// would ship them (`pnpm pack`: the package.json `files`, and `workspace:` ranges turned into
// versions). Each tarball is written as DIR/<name>.tgz without its version (coffer-client.tgz), so
// a project's `file:` dependencies on them survive a version bump. Default DIR: dist/packages/.
//
// Installing them with npm: list every tarball as a dependency (examples/app/package.json does).
// npm takes a `@coffer/*` package from the registry unless the project itself names its file, and
// there is no registry copy of Coffer; the third-party dependencies come from the npm registry.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** What users install; the rest of the list is what these need. */
export const ENTRY_PACKAGES = ["@coffer/core", "@coffer/client", "@coffer/cli"];

/** Every workspace package under packages/, by name: its directory and package.json. */
export function workspacePackages() {
  const packages = new Map();
  for (const dir of readdirSync(path.join(root, "packages"))) {
    const file = path.join(root, "packages", dir, "package.json");
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(file, "utf8"));
    } catch {
      continue;
    }
    packages.set(manifest.name, { dir: path.dirname(file), manifest });
  }
  return packages;
}

/** The entry packages and every workspace package their `dependencies` reach, sorted by name. */
export function packagesToPack(packages = workspacePackages()) {
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    const pkg = packages.get(name);
    if (!pkg) throw new Error(`${name} is not a package of this workspace`);
    if (pkg.manifest.private) throw new Error(`${name} is private, but a packed package depends on it`);
    seen.add(name);
    for (const dep of Object.keys(pkg.manifest.dependencies ?? {})) if (packages.has(dep)) visit(dep);
  };
  for (const name of ENTRY_PACKAGES) visit(name);
  return [...seen].sort();
}

/** `@coffer/store-sql` → `coffer-store-sql.tgz`. */
export const tarballName = (name) => `${name.replace(/^@/, "").replace("/", "-")}.tgz`;

function main(argv) {
  let from = process.cwd();
  let out;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--from") from = argv[++i];
    else if (argv[i] === "--out") out = argv[++i];
    else if (argv[i].startsWith("--out=")) out = argv[i].slice("--out=".length);
    else throw new Error(`unknown argument '${argv[i]}' (usage: ./dev pack [--out DIR])`);
  }
  const destination = out ? path.resolve(from, out) : path.join(root, "dist", "packages");
  mkdirSync(destination, { recursive: true });
  const packages = workspacePackages();
  const names = packagesToPack(packages);
  // One recursive `pnpm pack` (one pnpm start, not one per package) into a scratch directory,
  // where each tarball is <scope>-<name>-<version>.tgz; then renamed without the version.
  const scratch = mkdtempSync(path.join(tmpdir(), "coffer-pack-"));
  try {
    const filters = names.flatMap((name) => ["--filter", name]);
    const result = spawnSync("pnpm", ["-r", ...filters, "pack", "--pack-destination", scratch], {
      cwd: root,
      encoding: "utf8",
    });
    if (result.status !== 0) {
      process.stderr.write(result.stdout + result.stderr);
      throw new Error("pnpm pack failed (see above)");
    }
    for (const name of names) {
      const { version } = packages.get(name).manifest;
      const written = path.join(scratch, tarballName(name).replace(/\.tgz$/, `-${version}.tgz`));
      renameSync(written, path.join(destination, tarballName(name)));
      console.log(path.join(destination, tarballName(name)));
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}

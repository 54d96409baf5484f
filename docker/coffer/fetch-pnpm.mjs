// Puts the pnpm that package.json's "packageManager" pins into /opt/pnpm, with nothing but Node.js:
// the image to build on may carry no npm or corepack (CI's local/node:24 is only the node binary).
// The tarball is checked against the registry's sha512 integrity before it is unpacked.
//   node fetch-pnpm.mjs <package.json> <target dir>      (registry: npm_config_registry)
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";

const [packageJson, target] = process.argv.slice(2);
const pinned = JSON.parse(readFileSync(packageJson, "utf8")).packageManager ?? "";
const version = /^pnpm@(\d+\.\d+\.\d+)/.exec(pinned)?.[1];
if (!version) throw new Error(`${packageJson} pins no pnpm version in "packageManager" (found "${pinned}")`);
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read inside a Docker build, never by a turbo task
const registry = (process.env.npm_config_registry || "https://registry.npmjs.org/").replace(/\/?$/, "/");

const manifest = await (await fetch(`${registry}pnpm/${version}`)).json();
const { tarball, integrity } = manifest.dist ?? {};
if (!tarball || !integrity?.startsWith("sha512-"))
  throw new Error(`the registry has no sha512 for pnpm ${version}`);
const bytes = Buffer.from(await (await fetch(tarball)).arrayBuffer());
const digest = `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
if (digest !== integrity) throw new Error(`pnpm ${version}: integrity mismatch (${digest} != ${integrity})`);

mkdirSync(target, { recursive: true });
writeFileSync(`${target}/pnpm.tgz`, bytes);
execFileSync("tar", ["-xzf", `${target}/pnpm.tgz`, "-C", target, "--strip-components=1"]);
console.log(`fetch-pnpm: pnpm ${version} in ${target}`);

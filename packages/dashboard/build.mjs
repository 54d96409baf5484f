// Builds the dashboard into dist/: one bundled, minified script (app.js), the stylesheet and
// index.html, copied as they are. esbuild bundles Preact with the app; there is no inline script
// anywhere, so the server's Content-Security-Policy can allow scripts from its own origin only.
// Prints each file's size, raw and gzipped (the number the README quotes).
import { copyFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { bundleFiles } from "./bundle-files.mjs";

const dist = new URL("./dist/", import.meta.url);
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
await build({
  entryPoints: [new URL("./src/main.tsx", import.meta.url).pathname],
  outdir: dist.pathname,
  entryNames: "app",
  // Modules loaded on demand (the YAML parser for a pasted document) are chunks of their own, so
  // the page everyone opens does not carry them. Flat names: the server serves one directory.
  splitting: true,
  chunkNames: "chunk-[hash]",
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2022"],
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "none",
  logLevel: "warning",
});
for (const file of ["index.html", "app.css"]) {
  copyFileSync(new URL(`./src/${file}`, import.meta.url), new URL(file, dist));
}
const { firstLoad, onDemand } = bundleFiles(dist.pathname);
let total = 0;
for (const file of firstLoad) {
  const bytes = readFileSync(new URL(file, dist));
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  total += gzipped;
  console.log(`dist/${file}: ${bytes.length} bytes, ${gzipped} gzipped`);
}
console.log(`dashboard first load: ${total} bytes gzipped`);
for (const file of onDemand) {
  const bytes = readFileSync(new URL(file, dist));
  console.log(
    `dist/${file} (on demand): ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped`,
  );
}

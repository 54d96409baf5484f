// Which of dist/'s files a first visit downloads: index.html, app.css, app.js and the chunks
// app.js imports statically (esbuild's code splitting puts the code app.js shares with an
// on-demand chunk — the API client among it — into a chunk of its own that app.js imports at
// once). The other chunks load on demand (`import()`). build.mjs and the bench count with this.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** `{ firstLoad, onDemand }`: file names in `dist` (a directory path). */
export function bundleFiles(dist) {
  const app = readFileSync(path.join(dist, "app.js"), "utf8");
  // esbuild's minified static imports: `import{a as b}from"./chunk-X.js"` or `import"./chunk-X.js"`.
  const imported = new Set(
    [...app.matchAll(/import(?:\{[^}]*\}from)?"\.\/(chunk-[\w-]+\.js)"/g)].map((match) => match[1]),
  );
  const chunks = readdirSync(dist).filter((name) => name.startsWith("chunk-"));
  return {
    firstLoad: ["index.html", "app.js", ...chunks.filter((name) => imported.has(name)), "app.css"],
    onDemand: chunks.filter((name) => !imported.has(name)),
  };
}

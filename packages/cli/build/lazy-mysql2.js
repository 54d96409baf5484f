// Stands in for `mysql2` inside the bundled CLI: the driver loads only when a MySQL URL is opened.
// See build.mjs.
import { createRequire } from "node:module";

const requireDriver = createRequire(import.meta.url);

export function createPool(...args) {
  return requireDriver("mysql2").createPool(...args);
}

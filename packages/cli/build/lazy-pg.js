// Stands in for `pg` inside the bundled CLI: the driver loads only when a PostgreSQL URL is opened,
// so the embedded default (SQLite) never pays for it. See build.mjs.
import { createRequire } from "node:module";

const requireDriver = createRequire(import.meta.url);
let driver;

export default new Proxy(
  {},
  {
    get(_target, key) {
      driver ??= requireDriver("pg");
      return driver[key];
    },
  },
);

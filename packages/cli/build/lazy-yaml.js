// Stands in for `yaml` where @coffer/core imports it: core reads YAML only when there is a
// configuration file, so the parser is evaluated on first use instead of at every start. (The
// bundler turns this require into a call to the bundled module.) See build.mjs.
export function parseDocument(...args) {
  return require("yaml").parseDocument(...args);
}

// @coffer/core as the bundled CLI holds it. Custom store plugins that import "@coffer/core" get this
// module (see start.ts), so that the errors they throw are instances of the classes the service checks.
export * from "@coffer/core";

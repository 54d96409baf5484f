// Run by test/tracing-off.test.ts in a child process: starts the built server (dist/start.js)
// with the environment it was given, answers one request, closes, and prints the OpenTelemetry
// packages the process loaded (every module resolution is recorded by a module.registerHooks
// resolve hook, ESM and CommonJS alike) as one JSON line.
import { registerHooks } from "node:module";

const resolved = new Set();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    resolved.add(result.url);
    return result;
  },
});

const { startServer } = await import(process.argv[2]);
const running = await startServer({ settings: { port: 0 }, log: false });
const reply = await fetch(`${running.url}/health`);
await running.close();
const packages = new Set();
for (const url of resolved) {
  const match = /node_modules\/(@opentelemetry\/[^/]+)\//.exec(url);
  if (match) packages.add(match[1]);
}
process.stdout.write(`${JSON.stringify({ status: reply.status, packages: [...packages].sort() })}\n`);

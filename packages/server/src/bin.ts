#!/usr/bin/env node
/** `coffer-server`: runs the server until SIGINT/SIGTERM. `coffer server start` does the same. */
import { isCofferError } from "@coffer/core";
import { startServer } from "./start.js";

try {
  const server = await startServer();
  if (server.bootstrapToken) {
    process.stdout.write(
      `Created the admin user '${server.bootstrapToken.user}'. Its bootstrap token, shown only this once, expires at ${server.bootstrapToken.expiresAt?.toISOString()}:\n\n  ${server.bootstrapToken.token}\n\nLog in with it (coffer login --url ${server.url} --token <token>), make your own token (coffer token create) and log in with that.\n`,
    );
  }
  process.stdout.write(`coffer server listening on ${server.url}\n`);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} catch (error) {
  process.stderr.write(`coffer-server: ${isCofferError(error) ? error.oneLine : (error as Error).message}\n`);
  process.exit(isCofferError(error) && error.code === "INVALID_CONFIG" ? 78 : 1);
}

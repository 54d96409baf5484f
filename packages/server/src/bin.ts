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
  // Graceful: new connections refused, requests in flight answered (for at most
  // COFFER_SERVER_SHUTDOWN_GRACE_MS), then the store closed (start.ts, shutdown.ts). The handlers
  // are `once`: a second signal gets Node's default and ends the process at once.
  const stop = async () => {
    try {
      await server.close();
      process.exit(0);
    } catch (error) {
      process.stderr.write(`coffer-server: shutdown failed: ${(error as Error).message}\n`);
      process.exit(1);
    }
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} catch (error) {
  process.stderr.write(`coffer-server: ${isCofferError(error) ? error.oneLine : (error as Error).message}\n`);
  process.exit(isCofferError(error) && error.code === "INVALID_CONFIG" ? 78 : 1);
}

// The server refuses further tokens from an address after too many wrong ones (429). The client
// reports that as the authentication problem it is, with the server's words, not as "is this a
// Coffer server?".
import { UnauthenticatedError } from "@coffer/core";
import { startServer } from "@coffer/server";
import { expect, it } from "vitest";
import { createClient } from "../src/index.js";
import { tempDir } from "./helpers.js";

it("a rate-limited client gets UnauthenticatedError saying so", async () => {
  const server = await startServer({
    env: { COFFER_DATA_DIR: tempDir(), COFFER_LOG_LEVEL: "silent", COFFER_SERVER_AUTH_FAILURE_LIMIT: "2" },
    settings: { port: 0 },
    log: false,
  });
  try {
    const client = createClient({ url: server.url, token: `coffer_wrongwrong000_${"z".repeat(43)}` });
    for (let i = 0; i < 2; i++) await expect(client.listSecrets()).rejects.toThrow(/not valid/);
    const limited = await client.listSecrets().catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(UnauthenticatedError);
    expect((limited as Error).message).toMatch(/Too many failed authentications/);
    expect((limited as UnauthenticatedError).details).toMatchObject({ status: 429 });
  } finally {
    await server.close();
  }
});

/**
 * The one client behind `Secret("name")`. Either the program names it — `setDefaultClient(client)`
 * — or it is made on first use from the environment (COFFER_URL/COFFER_TOKEN → remote, else the
 * local store; `configureSecrets(options)` stands in for the environment), like Prefect's
 * `Secret.load(...)` needing no client of its own.
 *
 * There is never a silent second store: a default made from the environment that would reach
 * another place than a client this program made with `createClient({ url, … })` is an
 * InvalidConfigError naming both, and so is naming a second, different default.
 */
import { InvalidConfigError } from "@coffer/core";
import { type CofferClient, createClient } from "./client.js";
import type { ClientOptions } from "./client-options.js";
import { clientsMadeWithUrl } from "./clients-with-url.js";
import { SecretHandle } from "./secret-handle.js";

/** The default client, and whether the program set it (we close only the ones we made). */
let defaultClient: { client: CofferClient; explicit: boolean } | undefined;
let defaultOptions: ClientOptions = {};

/** A handle on the secret `name` through the default client: `.get()`, `.get(key)`, `.exists()`. */
export function Secret(name: string, options: { private?: boolean } = {}): SecretHandle {
  return new SecretHandle(resolveDefault, name, options);
}

/**
 * Makes `client` the one `Secret()` reads through. The program keeps owning it (closeSecrets()
 * forgets it without closing it). A different default already in place is an InvalidConfigError:
 * call closeSecrets() first to switch on purpose.
 */
export function setDefaultClient(client: CofferClient): void {
  if (defaultClient && defaultClient.client !== client) {
    throw new InvalidConfigError(
      `Secret() already has a default client (${where(defaultClient.client)}); a second one (${where(client)}) would split its reads between two stores.`,
      {
        hint: "Call closeSecrets() before setDefaultClient(client) to switch on purpose.",
        details: { current: where(defaultClient.client), requested: where(client) },
      },
    );
  }
  defaultClient = { client, explicit: true };
}

/** Options for the default client made from the environment; closes the current one so the next `Secret()` call uses them. */
export async function configureSecrets(options: ClientOptions = {}): Promise<void> {
  if (defaultClient?.explicit) {
    throw new InvalidConfigError(
      `Secret() already reads through the client set with setDefaultClient() (${where(defaultClient.client)}).`,
      {
        hint: "Call closeSecrets() first, or keep one default: either setDefaultClient() or configureSecrets().",
      },
    );
  }
  await closeSecrets();
  defaultOptions = options;
}

/** Forgets the default client, closing it if it was made from the environment (a later `Secret()` call makes a new one). */
export async function closeSecrets(): Promise<void> {
  const current = defaultClient;
  defaultClient = undefined;
  if (current && !current.explicit) await current.client.close();
}

function resolveDefault(): CofferClient {
  if (defaultClient?.explicit) return defaultClient.client;
  defaultClient ??= { client: createClient(defaultOptions), explicit: false };
  const client = defaultClient.client;
  // A client made with an explicit URL is the program saying where its secrets are: a default
  // from the environment that reaches elsewhere would be a silent second store.
  if (defaultOptions.url === undefined) {
    const other = clientsMadeWithUrl().find((made) => where(made) !== where(client));
    if (other) {
      throw new InvalidConfigError(
        `Secret() would read ${where(client)}, but this program made a client for ${where(other)}.`,
        {
          hint: "Call setDefaultClient(client) with the client Secret() should use, or set COFFER_URL and COFFER_TOKEN to that server.",
          details: { default: where(client), client: where(other) },
        },
      );
    }
  }
  return client;
}

/** Where a client reads: "the local store" or "the server <url>". */
function where(client: CofferClient): string {
  if (client.mode === "local") return "the local store";
  return client.server ? `the server ${client.server}` : "a server whose URL is not set";
}

/**
 * The client behind `Secret("name")`: created on first use from the environment (COFFER_*
 * variables, COFFER_CONFIG_FILE), like Prefect's `Secret.load(...)` needing no client of its own.
 */
import { type ClientOptions, type CofferClient, createClient } from "./client.js";
import { SecretHandle } from "./secret-handle.js";

let defaultClient: CofferClient | undefined;
let defaultOptions: ClientOptions = {};

/** A handle on the secret `name` through the default client: `.get()`, `.get(key)`, `.exists()`. */
export function Secret(name: string, options: { private?: boolean } = {}): SecretHandle {
  return new SecretHandle(
    () => {
      defaultClient ??= createClient(defaultOptions);
      return defaultClient;
    },
    name,
    options,
  );
}

/** Options for the default client; closes the current one so the next `Secret()` call uses them. */
export async function configureSecrets(options: ClientOptions = {}): Promise<void> {
  await closeSecrets();
  defaultOptions = options;
}

/** Closes the default client (a later `Secret()` call opens a new one). */
export async function closeSecrets(): Promise<void> {
  const client = defaultClient;
  defaultClient = undefined;
  await client?.close();
}

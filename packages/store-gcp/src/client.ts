/**
 * How the store's Secret Manager client is built: from the options (an explicit key, or an
 * insecure channel for emulators that looks up no credentials at all), and the injections an
 * embedder or a test hands over (objects, not configuration).
 */
import { type CallOptions, type ClientOptions, googleAuthLibrary, grpc } from "google-gax";
import type { ParsedGcpStoreOptions } from "./options.js";

/**
 * What embedders and tests hand the store besides its options: things that are objects, not
 * configuration. Tests pass a PassThroughClient (no credential lookup at all) and call options
 * without retries; an application can pass its own auth client (e.g. impersonation).
 */
export interface GcpStoreInjections {
  /** Authenticates every call; overrides keyFile, credentials and the application default credentials. */
  authClient?: ClientOptions["authClient"];
  /** Extra client options, applied last (e.g. gRPC channel settings such as reconnect backoff). */
  clientOptions?: ClientOptions;
  /** Extra per-call options, applied over the store's `timeout` (e.g. `retry` settings). */
  callOptions?: CallOptions;
}

export function clientOptions(parsed: ParsedGcpStoreOptions, injections: GcpStoreInjections): ClientOptions {
  const { project, location, apiEndpoint, port, insecure, keyFile, credentials } = parsed;
  const options: ClientOptions = { projectId: project };
  const endpoint =
    apiEndpoint ?? (location === undefined ? undefined : `secretmanager.${location}.rep.googleapis.com`);
  if (endpoint !== undefined) options.apiEndpoint = endpoint;
  if (port !== undefined) options.port = port;
  if (keyFile !== undefined) options.keyFilename = keyFile;
  if (credentials !== undefined) {
    const key = JSON.parse(credentials) as { client_email: string; private_key: string };
    options.credentials = { client_email: key.client_email, private_key: key.private_key };
  }
  if (insecure) {
    // Plain-text gRPC: the channel sends no call credentials at all, so none are looked up either
    // (looking up application default credentials would probe the metadata server).
    options.sslCreds = grpc.credentials.createInsecure();
    options.authClient = new googleAuthLibrary.PassThroughClient();
  }
  if (injections.authClient !== undefined) options.authClient = injections.authClient;
  return { ...options, ...injections.clientOptions };
}

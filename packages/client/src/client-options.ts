/**
 * What a CofferClient is made with (createClient's options: local mode's user and configuration,
 * remote mode's server and token) and what `resolveValues` reports about where values came from.
 */
import type { Logger, SecretValues, StoreRegistry } from "@coffer/core";
import type { CacheOptions, OfflineOptions } from "./cached-reads.js";

export interface ClientOptions {
  /** Local mode: the user id to act as. Default: COFFER_USER, else the operating-system user. */
  user?: string;
  /** Where COFFER_* settings are read from (default: process.env). */
  env?: Record<string, string | undefined>;
  /** A Coffer YAML configuration file (default: COFFER_CONFIG_FILE, if set). */
  configFile?: string;
  /** Relative paths in the configuration resolve against this (default: the working directory). */
  cwd?: string;
  /** The store types to choose from (default: the built-in catalogue). */
  registry?: StoreRegistry;
  /** Where the service logs; by default warnings and errors go to stderr unless COFFER_LOG_LEVEL says otherwise. */
  logger?: Logger;
  /** Remote mode: the server's base URL (default: COFFER_URL). */
  url?: string;
  /** Remote mode: the API token (default: COFFER_TOKEN). */
  token?: string;
  /**
   * Remote mode: allow sending the token over plain http:// to a server that is not on this machine
   * (default: COFFER_INSECURE). Without it such a URL fails with a CleartextTokenError, before any
   * request; https:// and loopback (127.0.0.0/8, ::1, localhost) never need it.
   */
  insecure?: boolean;
  /** Cache `get` in memory: TTL, single flight, bounded stale-while-revalidate, LRU (README, Caching). */
  cache?: CacheOptions;
  /** Remote mode: serve reads from an encrypted file while the server is unreachable, for at most maxStalenessMs. */
  offline?: OfflineOptions;
}

/** Where a secret's values came from: a local override, or the store. */
export interface ResolvedValues {
  values: SecretValues;
  source: "local" | "store";
  /** For a local override: the variable or file entry that gave it. */
  origin?: string;
}

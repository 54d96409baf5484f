/**
 * What a client with `cache` and/or `offline` options puts between `get` and the backend: the
 * in-memory read cache (read-cache.ts), the offline cache file (offline-cache.ts), and the
 * invalidation both need — after every write through this client, and from the outside through
 * `client.cache.invalidate(nameOrId)` / `invalidateAll()`, the hook a change feed calls.
 *
 * Offline mode serves a value only when the read failed with BackendUnavailableError (the server
 * cannot be reached, or failed), never on a refusal (403, 404, …), and only for
 * `maxStalenessMs` after the value was fetched. Such a value comes back as a StaleSecret (its
 * `stale.since` says when it was fetched) and a warning is logged, naming the secret, never a
 * value. Past the bound the read fails with the original error.
 */
import {
  BackendUnavailableError,
  InvalidConfigError,
  type Logger,
  Secret,
  type SecretRef,
  type SecretsSession,
} from "@coffer/core";
import { OfflineCache, type OfflineOptions } from "./offline-cache.js";
import { type CacheOptions, cacheKey, type Fetch, ReadCache } from "./read-cache.js";

export type { CacheOptions, OfflineOptions };

/** A value served from the offline cache while the server was unreachable. */
export class StaleSecret extends Secret {
  /** When the value was fetched from the server; it may have changed since. */
  readonly stale: { since: Date };

  constructor(secret: Secret, since: Date) {
    super(secret.metadata(), secret.values);
    this.stale = { since };
  }
}

/** The hook for a change feed, and what tests and benches read. */
export interface ClientCache {
  /** Forgets what is cached for this name or id (every visibility; the offline copy too). */
  invalidate(nameOrId: string): void;
  /** Forgets every in-memory entry (the offline copies stay, bounded by maxStalenessMs). */
  invalidateAll(): void;
  /** Waits until the offline cache file holds every value fetched so far. */
  flush(): Promise<void>;
  /** How many reads went to the backend. */
  readonly backendReads: number;
}

export class CachedReads implements ClientCache {
  readonly #memory: ReadCache;
  readonly #offline: OfflineCache | undefined;
  readonly #maxStalenessMs: number;
  readonly #logger: Logger | undefined;
  readonly #problem: InvalidConfigError | undefined;
  readonly #wrapped = new WeakMap<SecretsSession, SecretsSession>();
  /** Offline cache changes under way (flush() waits for them). */
  readonly #pending = new Set<Promise<void>>();

  /** `scope` names the server and credentials (remote mode); undefined in local mode. */
  constructor(
    options: { cache?: CacheOptions | undefined; offline?: OfflineOptions | undefined },
    scope: string | undefined,
    logger: Logger | undefined,
  ) {
    this.#problem = optionsProblem(options, scope);
    this.#logger = logger;
    this.#maxStalenessMs = options.offline?.maxStalenessMs ?? 0;
    if (options.offline && scope !== undefined && !this.#problem) {
      this.#offline = new OfflineCache(options.offline, scope);
    }
    // Offline mode alone still coalesces concurrent reads; it keeps nothing fresh in memory.
    const memory = this.#problem ? undefined : options.cache;
    this.#memory = new ReadCache(memory ?? { ttlMs: 0 }, (key, secret, fetchedAt) => {
      if (this.#offline) {
        this.#track(
          this.#offline.remember(key, secret, fetchedAt),
          "could not keep a value fetched from the server",
        );
      }
    });
  }

  get backendReads(): number {
    return this.#memory.fetches;
  }

  /** A fresh cached secret, or undefined: the synchronous fast path of `get`. */
  fresh(ref: SecretRef): Secret | undefined {
    return this.#memory.fresh(ref);
  }

  async read(ref: SecretRef, fetch: Fetch): Promise<Secret> {
    if (this.#problem) throw this.#problem;
    try {
      return await this.#memory.read(ref, fetch);
    } catch (error) {
      if (!this.#offline || !(error instanceof BackendUnavailableError)) throw error;
      return this.#fromOffline(ref, error);
    }
  }

  /** The session with every write invalidating what it changed (also when it failed: a conflict means a change). */
  wrap(session: SecretsSession): SecretsSession {
    let wrapped = this.#wrapped.get(session);
    if (wrapped) return wrapped;
    const after = <T>(work: Promise<T>, ...targets: Array<SecretRef | string>): Promise<T> =>
      work.then(
        (result) => {
          this.#invalidateTargets([...targets, ...changed(result)]);
          return result;
        },
        (error: unknown) => {
          this.#invalidateTargets(targets);
          throw error;
        },
      );
    wrapped = {
      ...session,
      get: (ref, options) => session.get(ref, options),
      create: (input) => after(session.create(input), input.name),
      update: (ref, input, options) => after(session.update(ref, input, options), ref),
      rename: (ref, newName, options) => after(session.rename(ref, newName, options), ref, newName),
      setVisibility: (ref, isPrivate, options) => after(session.setVisibility(ref, isPrivate, options), ref),
      put: (name, values, options) => after(session.put(name, values, options), name),
      delete: (ref, options) => after(session.delete(ref, options), ref),
      rollback: (ref, toVersion, options) => after(session.rollback(ref, toVersion, options), ref),
    };
    this.#wrapped.set(session, wrapped);
    return wrapped;
  }

  invalidate(nameOrId: string): void {
    const keys = this.#memory.invalidate(nameOrId);
    if (this.#offline) this.#track(this.#offline.forget(keys), "could not drop a changed secret");
  }

  invalidateAll(): void {
    this.#memory.invalidateAll();
  }

  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
    await this.#offline?.flush();
  }

  #track(work: Promise<void>, failure: string): void {
    const tracked = work
      .catch((error: unknown) => this.#warn(`The offline cache ${failure}.`, error))
      .finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  async #fromOffline(ref: SecretRef, original: BackendUnavailableError): Promise<Secret> {
    const kept = await this.#offline!.recall(cacheKey(ref));
    const age = kept ? Date.now() - kept.fetchedAt : Number.POSITIVE_INFINITY;
    if (!kept || age > this.#maxStalenessMs) throw original;
    const label = "id" in ref ? `id ${ref.id}` : `'${ref.name}'`;
    this.#logger?.warn(
      `The Coffer server cannot be reached; serving the secret ${label} from the offline cache, as fetched ${Math.round(age / 1000)} s ago (at most ${Math.round(this.#maxStalenessMs / 1000)} s allowed).`,
      { since: new Date(kept.fetchedAt).toISOString() },
    );
    if (!this.#logger) {
      process.stderr.write(
        `coffer: warning: the server cannot be reached; serving the secret ${label} from the offline cache, fetched ${Math.round(age / 1000)} s ago.\n`,
      );
    }
    return new StaleSecret(kept.secret, new Date(kept.fetchedAt));
  }

  #invalidateTargets(targets: Array<SecretRef | string | undefined>): void {
    for (const target of targets) {
      if (target === undefined) continue;
      this.invalidate(typeof target === "string" ? target : "id" in target ? target.id : target.name);
    }
  }

  #warn(message: string, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    if (this.#logger) this.#logger.warn(message, { reason });
    else process.stderr.write(`coffer: warning: ${message} ${reason}\n`);
  }
}

/** The name and id a write's result names (a rename's new name, a create's id). */
function changed(result: unknown): string[] {
  if (!result || typeof result !== "object") return [];
  const { id, name } = result as { id?: unknown; name?: unknown };
  return [id, name].filter((value): value is string => typeof value === "string");
}

function optionsProblem(
  options: { cache?: CacheOptions | undefined; offline?: OfflineOptions | undefined },
  scope: string | undefined,
): InvalidConfigError | undefined {
  const bad = (option: string, rule: string) =>
    new InvalidConfigError(`The client option ${option} ${rule}.`, {
      hint: "See @coffer/client's README, section Caching.",
      details: { option },
    });
  const { cache, offline } = options;
  if (cache) {
    if (!(Number.isFinite(cache.ttlMs) && cache.ttlMs > 0))
      return bad("cache.ttlMs", "must be a number of milliseconds above 0");
    const swr = cache.staleWhileRevalidateMs;
    if (swr !== undefined && !(Number.isFinite(swr) && swr >= 0)) {
      return bad("cache.staleWhileRevalidateMs", "must be a number of milliseconds, 0 or more");
    }
    const max = cache.maxEntries;
    if (max !== undefined && !(Number.isInteger(max) && max >= 1))
      return bad("cache.maxEntries", "must be a whole number, 1 or more");
  }
  if (offline) {
    if (scope === undefined) {
      return bad(
        "offline",
        "is for remote mode (a server that may be unreachable); this client works locally",
      );
    }
    if (typeof offline.file !== "string" || offline.file === "")
      return bad("offline.file", "must name the cache file");
    if (typeof offline.keyFile !== "string" || offline.keyFile === "")
      return bad("offline.keyFile", "must name the key file");
    const max = offline.maxStalenessMs;
    if (!(Number.isFinite(max) && max >= 0))
      return bad("offline.maxStalenessMs", "must be a number of milliseconds, 0 or more");
  }
  return undefined;
}

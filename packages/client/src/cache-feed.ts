/**
 * Keeps the read cache coherent with the change feed (issue 19): with `cache.followChanges`, the
 * client watches every change it may see and drops the cached copies of each secret that changed
 * (by id, name and former name); a `reset` (events were missed) drops everything, and so does the
 * moment the watch is ready, for entries cached before it followed the feed. A change made anywhere
 * — another client, another replica — is then served fresh within the feed's latency instead of
 * after `ttlMs`. If the watch fails for good, the cache falls back on its TTL, which still bounds
 * staleness.
 */
import type { Logger } from "@coffer/core";
import type { ClientCache } from "./cached-reads.js";
import type { WatchEvent, WatchFilter, WatchOptions } from "./watch.js";

type Watch = (filter?: WatchFilter, options?: WatchOptions) => AsyncIterable<WatchEvent>;

/** Starts following; abort the returned controller to stop (client.close() does). */
export function followChanges(watch: Watch, cache: ClientCache, logger?: Logger): AbortController {
  const stop = new AbortController();
  void (async () => {
    try {
      const events = watch(undefined, { signal: stop.signal, onReady: () => cache.invalidateAll() });
      for await (const event of events) {
        if (event.kind === "reset") {
          cache.invalidateAll();
          continue;
        }
        cache.invalidate(event.secretId);
        cache.invalidate(event.name);
        if (event.previousName !== undefined) cache.invalidate(event.previousName);
      }
    } catch (error) {
      if (stop.signal.aborted) return;
      // Never the error's text: it may quote a request. The TTL still bounds how stale a read is.
      logger?.warn("the read cache stopped following the change feed; entries now expire by their TTL only", {
        error: (error as { code?: string }).code ?? "UNKNOWN",
      });
    }
  })();
  return stop;
}

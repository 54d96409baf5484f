/**
 * Closing the HTTP side of a running server without failing the requests in flight: the listening
 * socket closes at once (new connections are refused), idle keep-alive connections are dropped,
 * requests already being handled answer normally — fastify's close waits for their connections —
 * and a request still running when `graceMs` has passed is cut (its connection destroyed), so a
 * stuck client or a backend that never answers cannot hold a shutdown forever. Only then may the
 * caller close the service and the store: closing them first is what made in-flight requests fail
 * with "memory store is closed".
 *
 * Fastify's close waits for connections, not for the work a request does after its reply is sent:
 * the audit log's outcome records (audit/hooks.ts, onResponse). trackRequests counts each request
 * until its last onResponse hook has run, and closeHttpWithin waits for that count to reach zero
 * too (within the same grace period), so that work does not meet a closed database.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";

/**
 * With tracing on, the last step of a shutdown (start.ts, after the store and the database are
 * closed, so every span has ended) exports the spans still queued, for at most this long: a
 * collector that does not answer must not hold the process past the orchestrator's patience.
 */
export const TRACING_FLUSH_MS = 5000;

class InFlightRequests {
  readonly #open = new Set<FastifyRequest>();
  #waiting: Array<() => void> = [];

  start(request: FastifyRequest): void {
    this.#open.add(request);
  }

  finish(request: FastifyRequest): void {
    if (!this.#open.delete(request) || this.#open.size > 0) return;
    for (const resolve of this.#waiting.splice(0)) resolve();
  }

  idle(): Promise<void> {
    if (this.#open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
}

const tracked = new WeakMap<FastifyInstance, InFlightRequests>();

/**
 * Counts requests from arrival until their onResponse hooks have run. Call before any other hook
 * is added (an onRequest hook that refuses a request skips those after it), then call the
 * function it returns after every other onResponse hook is added (hooks run in the order added).
 */
export function trackRequests(app: FastifyInstance): () => void {
  const inFlight = new InFlightRequests();
  tracked.set(app, inFlight);
  app.addHook("onRequest", async (request, reply) => {
    inFlight.start(request);
    // A reply that never completes (the client went away, the connection was cut) may run no
    // onResponse hook; its connection closing ends it here instead.
    reply.raw.once("close", () => {
      if (!reply.raw.writableFinished) inFlight.finish(request);
    });
  });
  return () => app.addHook("onResponse", async (request) => inFlight.finish(request));
}

export async function closeHttpWithin(app: FastifyInstance, graceMs: number): Promise<{ cut: boolean }> {
  let cut = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      cut = true;
      // Destroys every remaining connection; fastify's close then completes.
      app.server.closeAllConnections();
      resolve();
    }, graceMs);
  });
  try {
    await app.close();
    const inFlight = tracked.get(app);
    if (inFlight) await Promise.race([inFlight.idle(), deadline]);
  } finally {
    clearTimeout(timer);
  }
  return { cut };
}

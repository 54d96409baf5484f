/**
 * Closing the HTTP side of a running server without failing the requests in flight: the listening
 * socket closes at once (new connections are refused), idle keep-alive connections are dropped,
 * requests already being handled answer normally — fastify's close waits for them — and a request
 * still running when `graceMs` has passed is cut (its connection destroyed), so a stuck client
 * or a backend that never answers cannot hold a shutdown forever. Only then may the caller close
 * the service and the store: closing them first is what made in-flight requests fail with
 * "memory store is closed".
 */
import type { FastifyInstance } from "fastify";

export async function closeHttpWithin(app: FastifyInstance, graceMs: number): Promise<{ cut: boolean }> {
  let cut = false;
  const deadline = setTimeout(() => {
    cut = true;
    // Destroys every remaining connection; fastify's close then completes.
    app.server.closeAllConnections();
  }, graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(deadline);
  }
  return { cut };
}

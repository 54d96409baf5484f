/**
 * Request metrics (an onResponse hook) and the scrape endpoint, GET /metrics. Access: by default
 * a token with the `read-audit` permission (an auditor or an admin — give Prometheus an auditor's
 * token: it can read no value and write nothing); with COFFER_SERVER_METRICS_PUBLIC=true, no
 * token, for a scraper on a private network.
 */
import type { FastifyInstance } from "fastify";
import type { ServerMetrics } from "./registry.js";

/** Counts and times every answered request by its route pattern; call before routes are added. */
export function installRequestMetrics(app: FastifyInstance, metrics: ServerMetrics): void {
  app.addHook("onResponse", async (request, reply) => {
    // The registered pattern, never request.url: a URL can carry a secret's name (?name=…).
    const route = request.routeOptions.url ?? "(unmatched)";
    const method = request.method;
    metrics.httpRequests.inc({ method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method, route }, reply.elapsedTime / 1000);
  });
}

export function metricsRoute(app: FastifyInstance, metrics: ServerMetrics, isPublic: boolean): void {
  app.get(
    "/metrics",
    {
      config: isPublic ? { permission: "public" } : { permission: "read-audit", action: "read the metrics" },
      schema: {
        tags: ["operations"],
        summary:
          "Prometheus metrics (text exposition format): requests, latencies, store calls. Needs an auditor or admin token unless COFFER_SERVER_METRICS_PUBLIC is set",
      },
    },
    async (_request, reply) => reply.type(metrics.contentType).send(await metrics.scrape()),
  );
}

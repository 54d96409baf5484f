/**
 * A server span per request, named by the route pattern (`GET /api/v1/secrets/:id`; just the
 * method for a URL no route matches), never by the URL, which can carry a secret's name in
 * `?name=`. Attributes: `http.request.method`, `http.route`, `http.response.status_code`, and
 * `error.type` (the typed error code, or the status) for a failed request; the status is ERROR
 * for a 5xx only (a 4xx is the caller's, as OpenTelemetry's HTTP conventions say).
 *
 * A W3C `traceparent` header makes the span a child of the caller's span in the caller's trace.
 * `tracestate` is not carried over: it is free text a client controls and the SDK would export
 * it on every span; trace id, parent span id and the sampled flag are all a client can put into
 * a span.
 *
 * The onRequest hook is a callback-style hook that calls `done` inside runInSpan, so that every
 * later hook and the handler run in the request's context (as the audit context does,
 * audit/hooks.ts) and the store and database spans find their parent.
 */

import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import { parseTraceParent } from "@opentelemetry/core";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { typedErrorCode } from "../http-errors.js";
import { runInSpan } from "./active-span.js";
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
} from "./attributes.js";

/** OpenTelemetry's known methods; anything else is `_OTHER` (the conventions' rule). */
const METHODS = new Set(["CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"]);

interface OpenRequest {
  span: Span;
  /** The typed code of the error the request failed with, when it threw one. */
  code?: string;
}

export function installRequestSpans(app: FastifyInstance, tracer: Tracer): void {
  const open = new WeakMap<FastifyRequest, OpenRequest>();

  app.addHook("onRequest", (request, reply, done) => {
    const method = METHODS.has(request.method) ? request.method : "_OTHER";
    const route = request.routeOptions.url;
    const parent = callerContext(request.headers.traceparent);
    const span = tracer.startSpan(
      route ? `${method} ${route}` : method,
      {
        kind: SpanKind.SERVER,
        attributes: { [ATTR_HTTP_REQUEST_METHOD]: method, ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}) },
      },
      parent,
    );
    // Left out by the sampler: nothing to end, and no child will be made (active-span.ts).
    if (!span.isRecording()) return done();
    open.set(request, { span });
    // A reply that never completes runs no onResponse hook, nor does a hijacked one (the event
    // stream): the connection closing ends the span instead. Cut before any answer was sent,
    // the request failed; an event stream the client leaves has simply ended.
    reply.raw.once("close", () => {
      const cut = !reply.raw.writableFinished && !reply.raw.headersSent;
      end(request, reply.statusCode, cut ? "CONNECTION_CLOSED" : undefined);
    });
    runInSpan(parent, span, done);
  });

  // Callback-style hooks: no promise per request for work that is synchronous.
  app.addHook("onError", (request, _reply, error, done) => {
    const entry = open.get(request);
    // The code the reply carries: a framework refusal (schema validation, bad JSON) is VALIDATION.
    if (entry) entry.code = typedErrorCode(error);
    done();
  });

  app.addHook("onResponse", (request, reply, done) => {
    end(request, reply.statusCode);
    done();
  });

  function end(request: FastifyRequest, status: number, failure?: string): void {
    const entry = open.get(request);
    if (!entry) return;
    open.delete(request);
    const { span } = entry;
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (failure || status >= 400) span.setAttribute(ATTR_ERROR_TYPE, failure ?? entry.code ?? String(status));
    if (failure || status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }
}

/** The caller's span from `traceparent` (a remote parent), or no parent. */
function callerContext(header: string | string[] | undefined) {
  const parsed = typeof header === "string" ? parseTraceParent(header) : null;
  return parsed ? trace.setSpanContext(ROOT_CONTEXT, { ...parsed, isRemote: true }) : ROOT_CONTEXT;
}

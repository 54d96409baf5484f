/**
 * The request span a piece of work belongs to, carried along the request's async calls in an
 * AsyncLocalStorage of our own rather than OpenTelemetry's global context manager: the server
 * registers nothing global (several servers can trace in one process, as the tests do), and
 * only work started inside a request gets spans. Work outside any request (the change feed's
 * polling, start-up, the audit write after a reply is sent) has no parent here and gets none,
 * so a trace holds what a request did and nothing floods the collector with orphan spans.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import {
  type Attributes,
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { errorCode } from "../metrics/registry.js";
import { ATTR_ERROR_TYPE } from "./attributes.js";

const active = new AsyncLocalStorage<Context>();

/** Runs `work` (and every async call it makes) as part of `span`. */
export function runInSpan<T>(parent: Context, span: Span, work: () => T): T {
  return active.run(trace.setSpan(parent, span), work);
}

/**
 * A child span of the current request's span, or undefined outside a request and under a
 * request the sampler left out (its children would be left out too: not making them saves a
 * span object, a context and an AsyncLocalStorage scope per store call and query).
 */
export function startChildSpan(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
): { span: Span; context: Context } | undefined {
  const parent = active.getStore();
  if (!parent || !trace.getSpan(parent)?.isRecording()) return undefined;
  const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
  return { span, context: parent };
}

/**
 * Marks a span failed by the error's typed code (INTERNAL for anything else). Never the message
 * and never recordException: a message may quote a name or other input.
 */
export function failSpan(span: Span, error: unknown): void {
  span.setAttribute(ATTR_ERROR_TYPE, errorCode(error));
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/**
 * Typed errors become HTTP replies with a JSON body `{ error: { code, message, hint?, details? } }`
 * — the same body the remote client turns back into the same error class. Bodies never carry
 * secret values (core errors never hold any). Anything unexpected is a 500 whose body says only
 * that, with a request id to find the details in the server log.
 */

import type { Socket } from "node:net";
import {
  type CofferError,
  type ErrorCode,
  isCofferError,
  ValidationError,
  ValueTooLargeError,
} from "@coffer/core";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";

const STATUS: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  VERSION_CONFLICT: 412,
  VALUE_TOO_LARGE: 413,
  NOT_SUPPORTED: 501,
  // The backend, not the caller, is at fault for these three.
  ACCESS_DENIED: 502,
  INTEGRITY: 502,
  BACKEND_UNAVAILABLE: 503,
  AUDIT_UNAVAILABLE: 503,
  INVALID_CONFIG: 500,
};

/** Errors a route marked as the request's fault (asCallerFault). */
const callerFaults = new WeakSet<CofferError>();

/**
 * Marks `error` as the request's fault: a damaged archive the caller uploaded is INTEGRITY like
 * damaged data in the backend, but answered 422, not 502 (the server is not at fault).
 */
export function asCallerFault<E extends CofferError>(error: E): E {
  callerFaults.add(error);
  return error;
}

export function statusFor(error: CofferError): number {
  const status = STATUS[error.code] ?? 500;
  return status >= 500 && callerFaults.has(error) ? 422 : status;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const typed = toTyped(error);
    if (typed) {
      const status = statusFor(typed);
      if (typed.code === "UNAUTHENTICATED") reply.header("www-authenticate", 'Bearer realm="coffer"');
      if (typed.retryable) reply.header("retry-after", "5");
      if (status >= 500) request.log.warn({ code: typed.code, message: typed.message }, "request failed");
      return reply.status(status).send({ error: typed.toJSON() });
    }
    request.log.error({ err: error }, "unexpected error");
    return reply.status(500).send({
      error: {
        code: "INTERNAL",
        message: `Internal error (request ${request.id}).`,
        hint: "The server log has the details under that request id.",
      },
    });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({
      error: {
        code: "NOT_FOUND",
        message: `There is no ${request.method} ${request.url.split("?")[0]} endpoint.`,
        hint: "The API is described at /api/v1/openapi.json.",
      },
    });
  });
}

/**
 * Fastify's `frameworkErrors`: a URL it cannot decode or route (bad %-escape, over-long path
 * segment) would otherwise get fastify's own body `{error, code: "FST_…", statusCode}`.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const typed = toTyped(error) ?? new ValidationError("The request is not valid.");
  reply.status(statusFor(typed)).send({ error: typed.toJSON() });
}

/**
 * Node's `clientError`: requests that never reach fastify (headers or request line too large,
 * a malformed request, a timeout). Answered on the socket in the documented shape.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed || !socket.writable) return;
  const [status, reason, message] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large", "The request's headers (or its URL) are too large."]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout", "The request took too long to arrive."]
        : [400, "Bad Request", "The request is not valid HTTP."];
  const body = JSON.stringify({
    error: {
      code: "VALIDATION",
      message,
      hint:
        status === 431
          ? "Send a shorter URL and fewer or smaller headers (16 KiB in all)."
          : "Retry the request.",
    },
  });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The typed code a thrown error is answered with (INTERNAL for a 500), for spans and logs. */
export function typedErrorCode(error: FastifyError): string {
  return toTyped(error)?.code ?? "INTERNAL";
}

/** Turns framework errors about the request (validation, JSON syntax, size) into typed ones. */
function toTyped(error: FastifyError): CofferError | undefined {
  if (isCofferError(error)) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const first = error.validation[0]!;
    const where = error.validationContext ?? "request";
    const field = first.instancePath.replace(/^\//, "").replace(/\//g, ".") || undefined;
    const params = first.params as { keys?: string[]; params?: { hint?: string } } | undefined;
    const unknownKeys = first.keyword === "unrecognized_keys" ? params?.keys : undefined;
    const what = unknownKeys?.length
      ? `'${unknownKeys.join("', '")}' is not a known ${where === "querystring" ? "query parameter" : "field"}`
      : `${field ? `'${field}'` : `the ${where}`} is invalid: ${first.message}`;
    return new ValidationError(`Invalid ${where}: ${what}.`, {
      // A rule may say how to fix it (values: "quote it"); otherwise, where the rules are.
      hint: params?.params?.hint ?? "See /api/v1/openapi.json for the accepted fields.",
      details: { field: unknownKeys?.[0] ?? field ?? where },
    });
  }
  switch (error.code) {
    case "FST_ERR_BAD_URL":
      return new ValidationError("The URL is not valid: a %-escape in it does not decode.", {
        hint: "Percent-encode the URL as UTF-8 (encodeURIComponent), e.g. %25 for a literal %.",
        details: { field: "url" },
      });
    case "FST_ERR_MAX_PARAM_LENGTH":
      return new ValidationError("A path segment of the URL is too long.", {
        hint: "Ids and names in the path are at most 100 characters.",
        details: { field: "url" },
      });
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ValueTooLargeError("The request body is larger than the server accepts.", {
        hint: "Secrets are limited by the configured store; split large ones.",
      });
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ValidationError(
        `The content type '${error.message.split("'")[1] ?? ""}' is not supported.`,
        {
          hint: "Send JSON with 'Content-Type: application/json'.",
        },
      );
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new ValidationError("The request body is empty.", { hint: "Send a JSON object." });
    default:
      if (error.statusCode === 400 && error instanceof SyntaxError) {
        return new ValidationError("The request body is not valid JSON.", { hint: "Send a JSON object." });
      }
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
        // Any other framework refusal of the request (its message says what, never a value).
        return new ValidationError(error.message, {
          hint: "Check the request against /api/v1/openapi.json.",
        });
      }
      return undefined;
  }
}

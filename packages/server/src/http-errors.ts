/**
 * Typed errors become HTTP replies with a JSON body `{ error: { code, message, hint?, details? } }`
 * — the same body the remote client turns back into the same error class. Bodies never carry
 * secret values (core errors never hold any). Anything unexpected is a 500 whose body says only
 * that, with a request id to find the details in the server log.
 */
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
  INVALID_CONFIG: 500,
};

export function statusFor(error: CofferError): number {
  return STATUS[error.code] ?? 500;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const typed = toTyped(error);
    if (typed) {
      const status = statusFor(typed);
      if (typed.code === "UNAUTHENTICATED") reply.header("www-authenticate", 'Bearer realm="coffer"');
      if (typed.code === "BACKEND_UNAVAILABLE") reply.header("retry-after", "5");
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

/** Turns framework errors about the request (validation, JSON syntax, size) into typed ones. */
function toTyped(error: FastifyError): CofferError | undefined {
  if (isCofferError(error)) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const first = error.validation[0]!;
    const where = error.validationContext ?? "request";
    const field = first.instancePath.replace(/^\//, "").replace(/\//g, ".") || undefined;
    const params = first.params as { keys?: string[] } | undefined;
    const unknownKeys = first.keyword === "unrecognized_keys" ? params?.keys : undefined;
    const what = unknownKeys?.length
      ? `'${unknownKeys.join("', '")}' is not a known ${where === "querystring" ? "query parameter" : "field"}`
      : `${field ? `'${field}'` : `the ${where}`} is invalid: ${first.message}`;
    return new ValidationError(`Invalid ${where}: ${what}.`, {
      hint: "See /api/v1/openapi.json for the accepted fields.",
      details: { field: unknownKeys?.[0] ?? field ?? where },
    });
  }
  switch (error.code) {
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
        return new ValidationError(error.message, {
          hint: "Check the request against /api/v1/openapi.json.",
        });
      }
      return undefined;
  }
}

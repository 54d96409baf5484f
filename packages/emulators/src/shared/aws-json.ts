/**
 * What the AWS JSON 1.1 services the emulators play (Secrets Manager, KMS) do the same way around
 * their own operations: the SigV4-shaped Authorization check (signatures are not verified), the
 * request body as one JSON object, and the reply with AWS's headers. Each service passes its own
 * error class and its error namespace (the suffix of `x-amzn-errortype`); error bodies differ
 * between services (`Message` in Secrets Manager, `message` in KMS), so they stay with each.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export const AWS_JSON_CONTENT_TYPE = "application/x-amz-json-1.1";

type ErrorOf = (code: string, message: string, status?: number) => Error;

/**
 * Without an Authorization header the service answers MissingAuthenticationToken, HTTP 403; with
 * one that is not SigV4-shaped, IncompleteSignature (the API references' Common Errors).
 */
export function checkSigV4Authorization(request: IncomingMessage, error: ErrorOf): void {
  const header = request.headers.authorization;
  if (!header) throw error("MissingAuthenticationTokenException", "Missing Authentication Token", 403);
  if (!/^AWS4-HMAC-SHA256\s+Credential=[^,\s]+/.test(header)) {
    throw error(
      "IncompleteSignatureException",
      "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.",
    );
  }
}

/** The request body as a JSON object (an empty body is `{}`), else the service's SerializationException. */
export function parseJsonObject(
  body: Buffer,
  serialization: (message: string) => Error,
): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw serialization("Request body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw serialization("Request body must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}

/** A reply with AWS's headers; `errorType` adds `x-amzn-errortype` under `namespace`. */
export function sendAwsJson(
  response: ServerResponse,
  status: number,
  body: string,
  namespace: string,
  errorType?: string,
): void {
  if (response.headersSent) return;
  response.writeHead(status, {
    "content-type": AWS_JSON_CONTENT_TYPE,
    "content-length": Buffer.byteLength(body),
    "x-amzn-requestid": randomUUID(),
    ...(errorType && { "x-amzn-errortype": `${errorType}:http://internal.amazon.com/coral/${namespace}/` }),
  });
  response.end(body);
}

/**
 * The JSON body parser, in place of fastify's own, for three rules of the API:
 *
 * - The body must be valid UTF-8. Fastify decodes it leniently, so an invalid byte became U+FFFD
 *   and was stored as that; here it is a typed 400 and nothing is written.
 * - `__proto__`, `constructor`, `prototype` and `hasOwnProperty` are ordinary keys. Fastify's
 *   parser refuses a body holding `__proto__` ("not valid JSON") to protect code that copies
 *   objects by assignment; JSON.parse keeps such keys as own properties, and the code that copies
 *   values (schemas, service) never assigns through a prototype setter.
 * - An empty body is no body on a request that carries none (DELETE with
 *   `Content-Type: application/json`, as some clients always send); elsewhere it is a typed 400.
 */
import { ValidationError } from "@coffer/core";
import type { FastifyInstance, FastifyRequest } from "fastify";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const BODYLESS = new Set(["DELETE", "GET", "HEAD", "OPTIONS"]);

export function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser(
    "application/json",
    { parseAs: "buffer" },
    (request: FastifyRequest, body: Buffer, done: (error: Error | null, value?: unknown) => void) => {
      try {
        done(null, parseJsonBody(request.method, body));
      } catch (error) {
        done(error as Error);
      }
    },
  );
}

export function parseJsonBody(method: string, body: Buffer): unknown {
  if (body.length === 0) {
    if (BODYLESS.has(method)) return undefined;
    throw new ValidationError("The request body is empty.", { hint: "Send a JSON object." });
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new ValidationError("The request body is not valid UTF-8.", {
      hint: "Encode the body as UTF-8; send binary data as base64 text.",
      details: { field: "body" },
    });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError("The request body is not valid JSON.", {
      hint: "Send a JSON object.",
      details: { field: "body" },
    });
  }
}

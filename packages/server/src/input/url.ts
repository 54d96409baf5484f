/**
 * The URL's query string must be valid UTF-8 percent-encoding. Fastify's query parser keeps an
 * undecodable component as it is (so `%ED%A0%80`, an encoded lone surrogate, or `%FF` reached
 * the handlers as literal text); here such a URL is a typed 400 before anything else runs.
 * (The path is checked by fastify itself: its bad-URL error is mapped in http-errors.ts.)
 */
import { ValidationError } from "@coffer/core";
import type { FastifyInstance } from "fastify";

export function installUrlCheck(app: FastifyInstance): void {
  app.addHook("onRequest", async (request) => {
    const url = request.raw.url ?? "";
    const start = url.indexOf("?");
    if (start < 0) return;
    for (const part of url.slice(start + 1).split(/[&=]/)) {
      if (!part.includes("%")) continue;
      try {
        decodeURIComponent(part.replace(/\+/g, " "));
      } catch {
        throw new ValidationError("The query string is not valid: a %-escape in it is not UTF-8.", {
          hint: "Percent-encode query parameters as UTF-8 (encodeURIComponent), e.g. %25 for a literal %.",
          details: { field: "querystring" },
        });
      }
    }
  });
}

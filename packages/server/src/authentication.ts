/**
 * Who is calling: an onRequest hook reads the bearer token of every request to a route that is not
 * public, sets `request.caller`, and counts wrong tokens per client address (auth-limiter.ts).
 * What the caller may then do is access.ts's business.
 */
import { PermissionDeniedError, UnauthenticatedError } from "@coffer/core";
import type { FastifyInstance } from "fastify";
import type { AuthLimiter } from "./auth-limiter.js";
import { bearerToken } from "./bearer.js";
import type { Caller, IdentityStore } from "./identity.js";

export function installAuthentication(
  app: FastifyInstance,
  identity: IdentityStore,
  limiter: AuthLimiter,
): void {
  app.decorateRequest("caller", undefined);
  app.addHook("onRequest", async (request, reply) => {
    if (!request.routeOptions.url) return; // unknown route: the not-found handler answers
    const { permission, optionalAuth, enrollment } = request.routeOptions.config;
    const token = bearerToken(request.headers.authorization);
    // Public routes need no token; one that takes an optional token (/ready) still counts guesses.
    if (permission === "public" && !(optionalAuth && token !== undefined)) return;
    const wait = limiter.retryAfterSeconds(request.ip);
    if (wait > 0) {
      return reply
        .status(429)
        .header("retry-after", String(wait))
        .send({
          error: {
            code: "RATE_LIMITED",
            message: "Too many failed authentications from this address.",
            hint: `Wait ${wait} s before trying again, with a valid token.`,
            details: { retryAfterSeconds: wait },
            retryable: true,
          },
        });
    }
    let who: Caller;
    try {
      who = await identity.authenticate(token);
    } catch (error) {
      // A wrong token is a guess; a missing one is not.
      if (error instanceof UnauthenticatedError && token !== undefined) limiter.recordFailure(request.ip);
      if (optionalAuth) return; // answered as for an anonymous caller
      throw error;
    }
    if (who.enrollment && !enrollment) {
      if (optionalAuth) return;
      throw new PermissionDeniedError("An enrollment token can only make its user's own token.", {
        hint: "Run `coffer token create` with it (or POST /api/v1/tokens), then use the token that makes.",
        details: { user: who.user },
      });
    }
    request.caller = who;
  });
}

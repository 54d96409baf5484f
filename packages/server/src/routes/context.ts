/** The application type the route groups and startServer share, and what the route groups are given. */
import type { SecretsService } from "@coffer/service";
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from "fastify";
import type { IdentityStore } from "../identity.js";

export type CofferApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger
>;

export interface AppContext {
  service: SecretsService;
  identity: IdentityStore;
}

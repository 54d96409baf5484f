/** The package's public API: building and starting the server, the identity store, roles. */
export { API_VERSION, type AppOptions, buildApp } from "./app.js";
export { AuthLimiter } from "./auth-limiter.js";
export { bearerToken } from "./bearer.js";
export { statusFor } from "./http-errors.js";
export {
  type Caller,
  DEFAULT_IDENTITY_CACHE_MS,
  type IdentityOptions,
  IdentityStore,
  type IssuedToken,
  type TokenInfo,
  type User,
} from "./identity.js";
export { can, type Permission, ROLES, type Role } from "./roles.js";
export {
  type RunningServer,
  type ServerSettings,
  type StartServerOptions,
  serverSection,
  serverSettings,
  startServer,
} from "./start.js";

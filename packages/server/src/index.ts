export { API_VERSION, type AppOptions, buildApp } from "./app.js";
export { statusFor } from "./http-errors.js";
export { type Caller, IdentityStore, type IssuedToken, type TokenInfo, type User } from "./identity.js";
export { can, type Permission, ROLES, type Role } from "./roles.js";
export {
  type RunningServer,
  type ServerSettings,
  type StartServerOptions,
  serverSection,
  serverSettings,
  startServer,
} from "./start.js";

// The public API of @coffer/client: the client, credentials, the default client behind `Secret("name")`,
// local overrides, the remote transport for the server's own users and tokens, and the typed errors
// a program catches (core's classes themselves, so `instanceof` works in both modes).
export {
  AuditUnavailableError,
  BackendAccessDeniedError,
  BackendUnavailableError,
  CofferError,
  type ErrorCode,
  IntegrityError,
  InvalidConfigError,
  isCofferError,
  NotSupportedError,
  PermissionDeniedError,
  SecretExistsError,
  SecretNotFoundError,
  UnauthenticatedError,
  ValidationError,
  ValueTooLargeError,
  VersionConflictError,
} from "@coffer/core";
export {
  type CacheOptions,
  type ClientCache,
  type OfflineOptions,
  StaleSecret,
} from "./cached-reads.js";
export { CleartextTokenError, cleartextRefusal, insecureFromEnv, isLoopbackHost } from "./cleartext-token.js";
export { type ClientOptions, CofferClient, createClient, type ResolvedValues } from "./client.js";
export {
  type ContextSummary,
  type Credentials,
  checkContextName,
  credentialsFile,
  DEFAULT_CONTEXT,
  LOCAL_CONTEXT,
  listContexts,
  readCredentials,
  removeCredentials,
  saveCredentials,
  useContext,
} from "./credentials.js";
export { closeSecrets, configureSecrets, Secret, setDefaultClient } from "./default-client.js";
export { localUser } from "./identity.js";
export { listParams } from "./list-params.js";
export { LOCAL_SECRET_PREFIX, localSecretVariable } from "./local-secrets.js";
export { RemoteTransport } from "./remote-transport.js";
export type { Me, RemoteToken, RemoteTransportOptions, RemoteUser } from "./remote-types.js";
export { type DecodedValue, decodeValue, SecretHandle } from "./secret-handle.js";
export type * from "./transport.js";
export type {
  FeedReset,
  SecretChange,
  WatchAction,
  WatchEvent,
  WatchFilter,
  WatchOptions,
} from "./watch.js";

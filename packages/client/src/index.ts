export { type ClientOptions, CofferClient, createClient, type ResolvedValues } from "./client.js";
export {
  type Credentials,
  credentialsFile,
  readCredentials,
  removeCredentials,
  saveCredentials,
} from "./credentials.js";
export { closeSecrets, configureSecrets, Secret } from "./default-client.js";
export { localUser } from "./identity.js";
export { LOCAL_SECRET_PREFIX, localSecretVariable } from "./local-secrets.js";
export {
  listParams,
  type Me,
  type RemoteToken,
  RemoteTransport,
  type RemoteTransportOptions,
  type RemoteUser,
} from "./remote-transport.js";
export { type DecodedValue, decodeValue, SecretHandle } from "./secret-handle.js";
export type * from "./transport.js";

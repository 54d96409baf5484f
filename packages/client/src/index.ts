export { type ClientOptions, CofferClient, createClient, type ResolvedValues } from "./client.js";
export { closeSecrets, configureSecrets, Secret } from "./default-client.js";
export { localUser } from "./identity.js";
export { LOCAL_SECRET_PREFIX, localSecretVariable } from "./local-secrets.js";
export { type DecodedValue, decodeValue, SecretHandle } from "./secret-handle.js";
export type * from "./transport.js";

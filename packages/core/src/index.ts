/**
 * `@coffer/core`: the contract, for store plugins and everything else — the secret model, typed
 * errors, the SecretsStore interface and its helpers, the store registry (`defineStore`), the
 * secrets API types, references, redaction, the logger, and zod as `z`. Applications that load
 * the deploy-time configuration import the loader from `@coffer/core/config`.
 */
export type * from "./api.js";
export * from "./base-store.js";
export * from "./composition-root.js";
// `@/path` → the file's text: the loader reads credentials this way, and a store's option schema
// may too, for programs that build its options without the loader (store-kit's tlsCa).
export { readFileReference } from "./config/file-values.js";
export * from "./errors.js";
export * from "./key-rotation.js";
export * from "./logger.js";
export * from "./model.js";
export * from "./references.js";
export * from "./registry.js";
export * from "./secret.js";
export * from "./store.js";
export * from "./store-helpers.js";
export * as z from "./zod.js";

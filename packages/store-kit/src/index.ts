/**
 * @coffer/store-kit: what every Coffer backend shares, so that a backend is only its SDK calls.
 * See README.md for why this is a package of its own and the guide in @coffer/core's README.
 */
export * from "./backend-store.js";
export * from "./classification.js";
export * from "./cloud-credentials.js";
export * from "./common-errors.js";
export * from "./deployment.js";
export * from "./error-mapping.js";
export * from "./lazy-client.js";
export * from "./naming.js";
export * from "./options.js";
export * from "./ownership.js";
export * from "./registration.js";
export * from "./revisions.js";
export * from "./stored-values.js";

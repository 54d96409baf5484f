/**
 * `@coffer/core/config`: the loader, for applications (the server, the client, the CLI). It reads
 * the deploy-time configuration from the environment and a YAML file and picks the store; a store
 * plugin never needs it (its contract is `@coffer/core`).
 */
export { optionToEnvSuffix } from "./env-options.js";
export { defaultDataDir, loadConfig } from "./load.js";
export type { CofferConfig, ConfigSection, LoadConfigOptions, StoreConfig } from "./settings.js";
export { describeStoreOptions } from "./store-choice.js";
export { optionNames } from "./zod-shape.js";

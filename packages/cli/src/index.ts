export { envName, secretsToEnv } from "./env-names.js";
export { EXIT_CODES, exitCodeFor } from "./exit-codes.js";
export { main } from "./main.js";

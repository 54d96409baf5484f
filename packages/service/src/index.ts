export { DEFAULT_PAGE_SIZE, listQuerySchema, MAX_PAGE_SIZE } from "./list-query.js";
export type { ReferenceProblem } from "./references.js";
export { SecretsService, type ServiceHooks, type ServiceOptions } from "./service.js";
export type * from "./types.js";

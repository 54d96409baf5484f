export * from "./assertions.js";
export { tricky as trickyValues } from "./cases/fidelity.js";
export { ConformanceHarness, planCases, runStoreConformance, storeConformanceCases } from "./harness.js";
export { listAll } from "./service/listing.js";
export { describeServiceConformance, serviceConformanceCases } from "./service/suite.js";
export type * from "./service/types.js";
export type * from "./types.js";
export { describeStoreConformance } from "./vitest.js";

/**
 * The public face of @coffer/conformance: the store suite (checklist C…/H…), the service suite
 * (S…) and the outage suite, each as vitest registration and as plain cases, plus the assertions
 * and fixtures a store package's own tests reuse.
 */
export * from "./assertions.js";
export { tricky as trickyValues } from "./cases/fidelity.js";
export { ConformanceHarness, planCases, runStoreConformance, storeConformanceCases } from "./harness.js";
export { type Opened, openRecorded, type StepAction } from "./outage/cases.js";
export {
  expectConsistent,
  NOTHING_TO_REPAIR,
  recordingHooks,
  rejectsUnavailable,
  repaired,
  untilReady,
} from "./outage/checks.js";
export { describeOutageConformance, planOutageCases } from "./outage/suite.js";
export type * from "./outage/types.js";
export { listAll } from "./service/listing.js";
export { describeServiceConformance, serviceConformanceCases } from "./service/suite.js";
export type * from "./service/types.js";
export type * from "./types.js";
export { describeStoreConformance } from "./vitest.js";

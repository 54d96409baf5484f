/**
 * The public face of @coffer/testkit: real test backends (PostgreSQL, MySQL, emulator and other
 * containers, embedded PostgreSQL) and the decision of which one runs, the outage proxy, the
 * run's backend summary, and helpers the store packages' tests share.
 */
export { announce } from "./announce.js";
export {
  type ContainerSpec,
  type ReadyWhen,
  type RunningContainer,
  startContainer,
} from "./container.js";
export { type DockerStatus, dockerStatus } from "./docker.js";
export { EMBEDDED_DIR_PREFIX } from "./embedded-postgres.js";
export {
  EMULATOR_IMAGE_ENV,
  type EmulatorKind,
  isCofferEmulatorImage,
  type RunningEmulatorContainer,
  startEmulator,
} from "./emulators.js";
export { NotAvailable } from "./errors.js";
export { freePort } from "./free-port.js";
export { type ImageStatus, imageStatus } from "./image-status.js";
export { MYSQL_DEFAULT_IMAGE, MYSQL_IMAGE_ENV, startMysql } from "./mysql.js";
export { type CutPoint, OutageProxy, type RequestSeen } from "./outage-proxy.js";
export { type BackendPlan, decideBackend, type PlanInput, planContainer } from "./plan.js";
export {
  POSTGRES_DEFAULT_IMAGE,
  POSTGRES_IMAGE_ENV,
  type StartPostgresOptions,
  startPostgres,
} from "./postgres.js";
export { type Outcome, RUN_DIR_ENV, readOutcomes, summarizeOutcomes } from "./run-record.js";
export {
  type ClosableService,
  type ServiceFactoryParts,
  type ServiceOverStore,
  serviceOverStore,
} from "./service-over-store.js";
export { dockerDisabled, dockerRequired, dockerRequiredBecause, isCi } from "./settings.js";
export {
  closedPort,
  contextFor,
  failureOf,
  sqliteStoreContext,
  uniqueDeployment,
} from "./store-test-helpers.js";
export type { TestDatabase } from "./types.js";

export {
  type AzureEmulator,
  type AzureEmulatorOptions,
  type AzureFault,
  startAzureEmulator,
} from "./azure/index.js";
export {
  type GcpEmulator,
  type GcpEmulatorOptions,
  type GcpFault,
  type GcpFaultCode,
  startGcpEmulator,
} from "./gcp/index.js";
export type { EmulatorOptions, RunningEmulator } from "./types.js";

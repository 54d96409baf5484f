/** The package's entry point: each emulator's start function, options and fault kinds. */
export {
  type AwsEmulator,
  type AwsEmulatorOptions,
  type AwsFaultKind,
  startAwsEmulator,
} from "./aws/index.js";
export {
  type AwsKmsEmulator,
  type AwsKmsEmulatorOptions,
  type AwsKmsFaultKind,
  startAwsKmsEmulator,
} from "./aws-kms/index.js";
export {
  type AzureEmulator,
  type AzureEmulatorOptions,
  type AzureFault,
  startAzureEmulator,
} from "./azure/index.js";
export {
  type AzureKeysEmulator,
  type AzureKeysEmulatorOptions,
  startAzureKeysEmulator,
} from "./azure-keys/index.js";
export {
  type GcpEmulator,
  type GcpEmulatorOptions,
  type GcpFault,
  type GcpFaultCode,
  startGcpEmulator,
} from "./gcp/index.js";
export {
  type GcpKmsEmulator,
  type GcpKmsEmulatorOptions,
  type GcpKmsTamperKind,
  startGcpKmsEmulator,
} from "./gcp-kms/index.js";
export type { EmulatorOptions, RunningEmulator } from "./types.js";
export {
  type AppRoleOptions,
  startVaultEmulator,
  type TokenOptions,
  type VaultEmulator,
  type VaultEmulatorOptions,
  type VaultFaultKind,
} from "./vault/index.js";

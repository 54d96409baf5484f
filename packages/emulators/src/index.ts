export {
  type AwsEmulator,
  type AwsEmulatorOptions,
  type AwsFaultKind,
  startAwsEmulator,
} from "./aws/index.js";
export type { EmulatorOptions, RunningEmulator } from "./types.js";
export {
  type AppRoleOptions,
  startVaultEmulator,
  type TokenOptions,
  type VaultEmulator,
  type VaultEmulatorOptions,
  type VaultFaultKind,
} from "./vault/index.js";

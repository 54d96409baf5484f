export type { EmulatorOptions, RunningEmulator } from "./types.js";

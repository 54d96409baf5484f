/** The `memory` store package: its registration (the default export) and the store class. */
import { defineBackend } from "@coffer/store-kit";
import { MemoryStore } from "./memory-store.js";
import { memoryStoreOptions } from "./options.js";

export { MemoryStore } from "./memory-store.js";
export { type MemoryStoreOptions, memoryStoreOptions, type ParsedMemoryStoreOptions } from "./options.js";

/** The registration: `COFFER_STORE_TYPE=memory`. */
export const memoryStore = defineBackend({
  type: "memory",
  description: "Values in process memory: lost on exit. For tests and demos.",
  optionsSchema: memoryStoreOptions,
  store: MemoryStore,
});

export default memoryStore;

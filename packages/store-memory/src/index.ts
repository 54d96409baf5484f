import { memoryStore } from "./memory-store.js";

export { MemoryStore, type MemoryStoreOptions, memoryStore, memoryStoreOptions } from "./memory-store.js";
export default memoryStore;

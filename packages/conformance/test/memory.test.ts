// The reference store runs the whole suite, once with every capability and once per reduced
// configuration: capabilities depend on configuration and are checked per configuration (C62).
import { MemoryStore, memoryStore } from "@coffer/store-memory";
import { describeStoreConformance } from "../src/index.js";

describeStoreConformance("memory (every capability)", {
  create: () => new MemoryStore({ maxValueBytes: 4096, batchGetMax: 7 }),
  capabilities: {
    access: "read-write",
    maxValueBytes: 4096,
    batchGetMax: 7,
    versions: true,
    cas: true,
    softDelete: true,
  },
  registration: memoryStore,
  invalidOptions: [
    { maxValueBytes: -1 },
    { access: "sometimes" },
    { unknownOption: true },
    { batchGetMax: 1.5 },
  ],
});

describeStoreConformance("memory (no optional capabilities)", {
  create: () => new MemoryStore({ versions: false, cas: false, softDelete: false, batchGetMax: 1 }),
  capabilities: {
    access: "read-write",
    maxValueBytes: 65_536,
    batchGetMax: 1,
    versions: false,
    cas: false,
    softDelete: false,
  },
});

const readOnly = new MemoryStore({ access: "read-only", shared: "conformance-read-only" });
describeStoreConformance("memory (read-only)", {
  create: () => new MemoryStore({ access: "read-only", shared: "conformance-read-only" }),
  capabilities: {
    access: "read-only",
    maxValueBytes: 65_536,
    batchGetMax: 100,
    versions: true,
    cas: true,
    softDelete: true,
  },
  seed: async (id, values) => readOnly.seed(id, values),
  unseed: async (id) => readOnly.unseed(id),
});

// The reference store runs the whole suite, once with every capability and once per reduced
// configuration: capabilities depend on configuration and are checked per configuration (C62).
import { MemoryStore, memoryStore } from "@coffer/store-memory";
import { describeStoreConformance } from "../src/index.js";

describeStoreConformance("memory (every capability)", {
  create: () => new MemoryStore({ maxValueBytes: 4096, batchGetMax: 7, maxVersions: 4 }),
  capabilities: {
    access: "read-write",
    maxValueBytes: 4096,
    batchGetMax: 7,
    versions: true,
    cas: true,
    softDelete: true,
  },
  keptRevisions: 4,
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

// Large batches: C15 asks for 2 × 100 + 1 ids, of which it writes at most maxBatchFixtures.
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

// A write-only store cannot read its writes back, so the test reads the storage directly (a view
// of the same shared contents, past the access mode): every write case runs through it.
const writeOnlyView = new MemoryStore({ shared: "conformance-write-only" });
describeStoreConformance("memory (write-only)", {
  create: () =>
    new MemoryStore({
      access: "write-only",
      shared: "conformance-write-only",
      versions: false,
      cas: false,
      softDelete: false,
    }),
  capabilities: {
    access: "write-only",
    maxValueBytes: 65_536,
    batchGetMax: 100,
    versions: false,
    cas: false,
    softDelete: false,
  },
  readBack: async (id) => writeOnlyView.peek(id),
});

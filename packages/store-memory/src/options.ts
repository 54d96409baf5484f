/** The `memory` store's options: the capabilities it declares, and knobs for tests and benchmarks. */
import { DEFAULT_MAX_VERSIONS, z } from "@coffer/core";

export const memoryStoreOptions = z
  .object({
    /** The largest secret accepted, in bytes of its JSON encoding. */
    maxValueBytes: z.number().int().positive().default(65_536),
    /** Ids per getMany backend call. */
    batchGetMax: z.number().int().positive().default(100),
    access: z.enum(["read-write", "read-only", "write-only"]).default("read-write"),
    versions: z.boolean().default(true),
    cas: z.boolean().default(true),
    softDelete: z.boolean().default(true),
    /** How many revisions of each secret are kept readable (the current one included). */
    maxVersions: z.number().int().min(1).default(DEFAULT_MAX_VERSIONS),
    /** Simulated latency of every backend call, for benchmarks. */
    latencyMs: z.number().int().min(0).default(0),
    /** Stores created with the same name share their contents within one process. */
    shared: z.string().min(1).optional(),
  })
  .strict();

export type MemoryStoreOptions = z.input<typeof memoryStoreOptions>;
export type ParsedMemoryStoreOptions = z.output<typeof memoryStoreOptions>;

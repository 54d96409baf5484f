/**
 * The store suite's vocabulary: what a store package tells the suite (StoreConformanceOptions,
 * with the hooks read-only and write-only stores need), what a case is, and what it gets to run.
 */
import type {
  SecretId,
  SecretsStore,
  SecretValues,
  StoreCapabilities,
  StoreRegistration,
} from "@coffer/core";

export interface StoreConformanceOptions {
  /** Builds a fresh store that has not been initialised. */
  create: () => SecretsStore | Promise<SecretsStore>;
  /**
   * What the store claims to support. The suite runs each capability's cases when it is declared
   * and checks that the operation throws NotSupportedError when it is not, and it checks that these
   * equal `store.capabilities()` (no silent drift).
   */
  capabilities: StoreCapabilities;
  /** The store's registration and options it must reject (C04). */
  registration?: StoreRegistration;
  invalidOptions?: unknown[];
  /** A store pointed at an address where nothing answers (C05, C06). */
  unreachable?: () => SecretsStore | Promise<SecretsStore>;
  /** Writes values out of band, for read-only stores (they cannot create their own fixtures). */
  seed?: (id: SecretId, values: SecretValues) => Promise<void>;
  /** Removes what `seed` wrote, so that read-only stores are left clean too. */
  unseed?: (id: SecretId) => Promise<void>;
  /**
   * Reads what the backend holds for `id` behind the store's back (undefined when it holds
   * nothing). A write-only store cannot read its own writes, so without this hook the suite cannot
   * tell a working write from one that does nothing: with it, the write cases run on write-only
   * stores and check every write through it.
   */
  readBack?: (id: SecretId) => Promise<SecretValues | undefined>;
  /**
   * A count that grows whenever a store built by `create` connects to its backend or sends it
   * anything: e.g. a proxy's accepted connections plus the data chunks it forwarded (counting
   * connections alone misses a request sent over a kept-alive socket that another store in the
   * process opened). Given, the suite checks that constructing a store does no I/O and init()
   * does (C06.1), and that refused options reach nothing (C04). Socket-based stores should give it.
   */
  backendTraffic?: () => number;
  /**
   * With `versions`: how many of a secret's latest revisions stay readable (e.g. a max_versions
   * setting). The suite writes one more than that and checks the latest ones read back and the
   * oldest is gone (C31.1). Leave it out when the backend keeps every revision.
   */
  keptRevisions?: number;
  /**
   * The most secrets C15 writes for its getMany check (default 61). C15 always asks for
   * 2 × batchGetMax + 1 ids, so that the store makes at least three batch calls; when that is more
   * than this bound, the rest of the ids are ones that were never written (cheap to ask for) and
   * the written ones sit at every batch's edges. The default keeps a store at ~50 ms per write
   * under ~3 s for the case, however large its batches.
   */
  maxBatchFixtures?: number;
  /**
   * Cases this store is known to fail, by case id, each with the reason (a bug report, a backend
   * limit). They are listed as skipped with that reason instead of running.
   */
  knownFailures?: Record<string, string>;
  /** Called after the suite, e.g. to stop a container. */
  teardown?: () => Promise<void>;
}

/** The optional capabilities a case can need. */
export type OptionalCapability = "versions" | "cas" | "softDelete";

export type CaseGroup = "lifecycle" | "read" | "write" | "fidelity" | "delete" | "capabilities" | "hygiene";

export interface ConformanceCase {
  /** The checklist id, e.g. "C10". */
  id: string;
  title: string;
  group: CaseGroup;
  /**
   * The capability the case exercises (several: any one of them). When the store declares none of
   * them, the case is listed as skipped, saying so; C60 checks instead that the operation throws
   * NotSupportedError.
   */
  requires?: OptionalCapability | readonly OptionalCapability[];
  /** Why the case does not apply to this store (e.g. it is read-only), or undefined when it does. */
  notApplicable?: (options: StoreConformanceOptions) => string | undefined;
  run: (context: CaseContext) => Promise<void>;
}

export interface CaseContext {
  /** The shared store, initialised once for the whole suite. */
  store: SecretsStore;
  capabilities: StoreCapabilities;
  options: StoreConformanceOptions;
  /** A fresh id, deleted again after the case (harness hygiene H1, H2). */
  newId(): SecretId;
  /** Creates a secret with a fresh id (through `seed` on read-only stores) and returns its id. */
  put(values: SecretValues): Promise<SecretId>;
  /**
   * Reads a secret back to check a write: `store.get`, or on a write-only store the `readBack`
   * hook (a secret it does not find is SecretNotFoundError, as from `get`).
   */
  read(id: SecretId): Promise<SecretValues>;
  /** Like `read` for several ids: those present, in the order asked (`getMany` or `readBack`). */
  readMany(ids: readonly SecretId[]): Promise<Map<SecretId, SecretValues>>;
}

export interface CaseResult {
  id: string;
  title: string;
  status: "passed" | "failed" | "not-applicable";
  error?: unknown;
  reason?: string;
}

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
  /** Called after the suite, e.g. to stop a container. */
  teardown?: () => Promise<void>;
}

export type CaseGroup = "lifecycle" | "read" | "write" | "fidelity" | "delete" | "capabilities" | "hygiene";

export interface ConformanceCase {
  /** The checklist id, e.g. "C10". */
  id: string;
  title: string;
  group: CaseGroup;
  /**
   * A capability the case exercises. When the store does not declare it, the case is left out:
   * the capability cases check instead that the operation throws NotSupportedError.
   */
  requires?: "versions" | "cas" | "softDelete";
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
}

export interface CaseResult {
  id: string;
  title: string;
  status: "passed" | "failed" | "not-applicable";
  error?: unknown;
  reason?: string;
}

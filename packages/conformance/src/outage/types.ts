/**
 * What the outage suite asks of a store package: a way to open a service over the store, to cut
 * the backend off and back on, and to look at what the backend holds behind the store's back.
 * Structural types only, so the suite depends on @coffer/core and not on the service or testkit.
 */
import type { Actor, HealthReport, SecretId, SecretsSession, SecretsStore } from "@coffer/core";

/** What reconcile() reports (ReconcileReport in @coffer/service). */
export interface RepairReport {
  completedCreates: SecretId[];
  rolledBackCreates: SecretId[];
  completedUpdates: SecretId[];
  completedDeletes: SecretId[];
  failed: Array<{ id: SecretId; code: string }>;
}

/**
 * What the outage suite needs of a SecretsService. The suite depends on @coffer/core only, so it
 * names the members it uses; a SecretsService from @coffer/service has them all.
 */
export interface OutageService {
  as(actor: Actor): SecretsSession;
  reconcile(options: { olderThanMs?: number }): Promise<RepairReport>;
  health(): Promise<{
    status: "ready" | "error";
    metadata: { status: "ready" | "error" };
    store: HealthReport;
  }>;
}

/** Called by the service before each step of a write (`ServiceHooks` in @coffer/service). */
export interface StepHooks {
  beforeStep(step: string, secretId: SecretId): void | Promise<void>;
}

/** Makes the backend unreachable and reachable again, e.g. by suspending an emulator. */
export interface Outage {
  /** From now on the backend cannot be reached (connections refused or dropped). */
  begin(): Promise<void>;
  /** The backend listens again. The suite then waits, bounded, until the store's health() is ready. */
  end(): Promise<void>;
}

/** One service over its own fresh metadata and the store under test. */
export interface ServiceInOutage {
  service: OutageService;
  /** The store the service built (the store-level case drives it directly). */
  store: SecretsStore;
  outage: Outage;
  /**
   * Which secret ids the backend still holds anything for, looking behind the store's back with
   * the provider's own client: live values, or anything the store's delete should have removed
   * (e.g. a soft-deleted copy a store that purges left behind). At least the ids among `ids` (every
   * id this service wrote, in the suite's knowledge), and any other of this deployment that the
   * backend can enumerate.
   */
  held(ids: SecretId[]): Promise<SecretId[]>;
  close(): Promise<void>;
}

/** A loopback proxy that starts an outage at an exact request (OutageProxy in @coffer/testkit). */
export interface CuttingProxy {
  /** Every request that reached the proxy so far. */
  readonly seen: readonly unknown[];
  /** The outage starts at the next request `matches` accepts: before it is forwarded, or after. */
  cutAt(point: "before" | "after", matches: (request: unknown) => boolean): void;
  /** True once the outage has started. */
  readonly down: boolean;
  /** Ends the outage and forgets any pending cut. */
  restore(): void;
}

export interface OutageConformanceOptions {
  /**
   * Opens a fresh service (its own metadata database) over the store, with `hooks` installed in
   * it. Each case opens its own and closes it.
   */
  open(hooks: StepHooks): Promise<ServiceInOutage>;
  /**
   * Transient backend faults by name (throttling, a 5xx, a sealed Vault): each arms the backend so
   * that its next request fails that way. Runs T1 once per fault; without it T1 is not run.
   */
  transientFaults?: Record<string, () => void>;
  /**
   * The store reached through a cutting proxy: an outage is started at each backend request of a
   * create, an update and a delete in turn, before and after it (R1). Without it R1 is not run.
   */
  requestCuts?: {
    /** The proxy (started before the tests run, hence a getter). */
    proxy(): CuttingProxy;
    /** Like `open`, with the store reaching the backend through the proxy. */
    open(hooks: StepHooks): Promise<ServiceInOutage>;
    /**
     * How many cuts the three writes make in all (two per request), so that a change in the
     * store's requests shows up here.
     */
    expectedCuts: number;
  };
}

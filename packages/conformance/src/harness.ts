/**
 * Runs conformance cases against one store: one shared, initialised store for the whole suite,
 * a fresh id for everything a case creates (H1), and cleanup after each case whether it passed
 * or not (H2).
 */
import {
  isCofferError,
  newSecretId,
  type SecretId,
  SecretNotFoundError,
  type SecretsStore,
  type SecretValues,
} from "@coffer/core";
import { capabilityCases } from "./cases/capabilities.js";
import { deleteCases } from "./cases/delete.js";
import { fidelityCases } from "./cases/fidelity.js";
import { historyCases } from "./cases/history.js";
import { hygieneCases } from "./cases/hygiene.js";
import { lifecycleCases } from "./cases/lifecycle.js";
import { readCases } from "./cases/read.js";
import { writeCases } from "./cases/write.js";
import type {
  CaseContext,
  CaseResult,
  ConformanceCase,
  OptionalCapability,
  StoreConformanceOptions,
} from "./types.js";

export const storeConformanceCases: readonly ConformanceCase[] = [
  ...lifecycleCases,
  ...readCases,
  ...writeCases,
  ...historyCases,
  ...fidelityCases,
  ...deleteCases,
  ...capabilityCases,
  ...hygieneCases,
];

export interface PlannedCase {
  case: ConformanceCase;
  /**
   * Why it does not run here, as the run lists it ("not applicable: the store is read-only",
   * "not declared: …", "known failure: …"); undefined when it runs.
   */
  notApplicable?: string;
}

/**
 * Every case, each either to run or with the reason it is skipped: a case for a capability the
 * store does not declare is listed too (C60 checks the capability is really absent), so the run
 * shows the whole checklist.
 */
export function planCases(options: StoreConformanceOptions): PlannedCase[] {
  return storeConformanceCases.map((each) => {
    const reason = skipReason(each, options);
    return reason ? { case: each, notApplicable: reason } : { case: each };
  });
}

function skipReason(each: ConformanceCase, options: StoreConformanceOptions): string | undefined {
  const known = options.knownFailures?.[each.id];
  if (known) return `known failure: ${known}`;
  if (each.requires) {
    const needed: readonly OptionalCapability[] =
      typeof each.requires === "string" ? [each.requires] : each.requires;
    if (!needed.some((capability) => options.capabilities[capability])) {
      return `not declared: the store does not declare ${needed.map((name) => `'${name}'`).join(" or ")} (C60 checks it is refused)`;
    }
  }
  const reason = each.notApplicable?.(options);
  return reason ? `not applicable: ${reason}` : undefined;
}

export class ConformanceHarness {
  #store: SecretsStore | undefined;
  readonly #everyId = new Set<SecretId>();

  constructor(readonly options: StoreConformanceOptions) {}

  async setUp(): Promise<void> {
    this.#store = await this.options.create();
    await this.#store.init();
  }

  async tearDown(): Promise<void> {
    try {
      await this.#store?.close();
    } finally {
      await this.options.teardown?.();
    }
  }

  /** Runs one case with its own ids, and removes whatever it created afterwards. */
  async run(testCase: ConformanceCase): Promise<void> {
    const store = this.#store;
    if (!store) throw new Error("the conformance harness was not set up");
    const ids = new Set<SecretId>();
    const newId = () => {
      const id = newSecretId();
      ids.add(id);
      this.#everyId.add(id);
      return id;
    };
    const context: CaseContext = {
      store,
      capabilities: this.options.capabilities,
      options: this.options,
      newId,
      put: async (values: SecretValues) => {
        const id = newId();
        if (this.options.capabilities.access === "read-only" || this.options.seed) {
          if (!this.options.seed)
            throw new Error("a read-only store needs the `seed` option to create fixtures");
          await this.options.seed(id, values);
        } else {
          await store.create(id, values);
        }
        return id;
      },
      read: (id) => this.#read(store, id),
      readMany: (ids) => this.#readMany(store, ids),
    };
    try {
      await testCase.run(context);
    } finally {
      await this.#cleanUp(store, ids);
    }
  }

  /** H2: after the suite, none of the secrets it created is still readable. */
  async leftovers(): Promise<SecretId[]> {
    const store = this.#store!;
    if (store.capabilities().access === "write-only" && !this.options.readBack) return [];
    return [...(await this.#readMany(store, [...this.#everyId])).keys()];
  }

  /** Whether reads go through `readBack`: the store is declared write-only, so it cannot read. */
  #writeOnly(): boolean {
    return this.options.capabilities.access === "write-only";
  }

  async #read(store: SecretsStore, id: SecretId): Promise<SecretValues> {
    if (!this.#writeOnly()) return store.get(id);
    const values = await this.#readBack(id);
    if (values === undefined) {
      throw new SecretNotFoundError(`readBack found no secret ${id}.`, { details: { id } });
    }
    return values;
  }

  async #readMany(store: SecretsStore, ids: readonly SecretId[]): Promise<Map<SecretId, SecretValues>> {
    if (!this.#writeOnly()) return store.getMany(ids);
    const found = new Map<SecretId, SecretValues>();
    for (const id of ids) {
      const values = await this.#readBack(id);
      if (values !== undefined) found.set(id, values);
    }
    return found;
  }

  #readBack(id: SecretId): Promise<SecretValues | undefined> {
    const { readBack } = this.options;
    if (!readBack) throw new Error("a write-only store needs the `readBack` option to check its writes");
    return readBack(id);
  }

  async #cleanUp(store: SecretsStore, ids: Set<SecretId>): Promise<void> {
    const readOnly = store.capabilities().access === "read-only";
    for (const id of ids) {
      try {
        if (readOnly) await this.options.unseed?.(id);
        else await store.delete(id);
      } catch (error) {
        // Already gone (the case deleted it) is the normal outcome; anything else is the case's
        // own failure to report, not the cleanup's.
        if (!isCofferError(error)) throw error;
      }
    }
  }
}

/** Runs every planned case outside any test runner and reports each outcome (used by the meta-test). */
export async function runStoreConformance(options: StoreConformanceOptions): Promise<CaseResult[]> {
  const harness = new ConformanceHarness(options);
  const results: CaseResult[] = [];
  await harness.setUp();
  try {
    for (const planned of planCases(options)) {
      const { id, title } = planned.case;
      if (planned.notApplicable) {
        results.push({ id, title, status: "not-applicable", reason: planned.notApplicable });
        continue;
      }
      try {
        await harness.run(planned.case);
        results.push({ id, title, status: "passed" });
      } catch (error) {
        results.push({ id, title, status: "failed", error });
      }
    }
    const left = await harness.leftovers();
    results.push(
      left.length === 0
        ? { id: "H2", title: "the suite leaves none of its secrets behind", status: "passed" }
        : {
            id: "H2",
            title: "the suite leaves none of its secrets behind",
            status: "failed",
            error: new Error(`${left.length} secrets are still readable after cleanup`),
          },
    );
  } finally {
    await harness.tearDown();
  }
  return results;
}

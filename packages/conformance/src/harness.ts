/**
 * Runs conformance cases against one store: one shared, initialised store for the whole suite,
 * a fresh id for everything a case creates (H1), and cleanup after each case whether it passed
 * or not (H2).
 */
import {
  isCofferError,
  newSecretId,
  type SecretId,
  type SecretsStore,
  type SecretValues,
} from "@coffer/core";
import { capabilityCases } from "./cases/capabilities.js";
import { deleteCases } from "./cases/delete.js";
import { fidelityCases } from "./cases/fidelity.js";
import { hygieneCases } from "./cases/hygiene.js";
import { lifecycleCases } from "./cases/lifecycle.js";
import { readCases } from "./cases/read.js";
import { writeCases } from "./cases/write.js";
import type { CaseContext, CaseResult, ConformanceCase, StoreConformanceOptions } from "./types.js";

export const storeConformanceCases: readonly ConformanceCase[] = [
  ...lifecycleCases,
  ...readCases,
  ...writeCases,
  ...fidelityCases,
  ...deleteCases,
  ...capabilityCases,
  ...hygieneCases,
];

export interface PlannedCase {
  case: ConformanceCase;
  /** Why it does not apply; undefined when it runs. */
  notApplicable?: string;
}

/** The cases that concern this store: capability cases only when the capability is declared. */
export function planCases(options: StoreConformanceOptions): PlannedCase[] {
  return storeConformanceCases
    .filter((each) => !each.requires || options.capabilities[each.requires])
    .map((each) => {
      const reason = each.notApplicable?.(options);
      return reason ? { case: each, notApplicable: reason } : { case: each };
    });
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
    if (store.capabilities().access === "write-only") return [];
    return [...(await store.getMany([...this.#everyId])).keys()];
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

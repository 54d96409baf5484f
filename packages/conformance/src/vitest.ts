/**
 * Registers the conformance suite with vitest:
 *
 *   describeStoreConformance("my-store", { create: () => new MyStore(…), capabilities: {…} });
 *
 * Cases that do not apply (a read-only store's write cases, lifecycle cases that need options you
 * did not give) are listed as skipped with the reason in their title. So are cases for a capability
 * the store does not declare (C60 checks that the capability is really absent) and the cases given
 * as `knownFailures`.
 *
 * The store is created and initialised by the first test that runs, not in beforeAll: a wrapper
 * that skips every test (a container that cannot run here) then never builds it.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ConformanceHarness, planCases } from "./harness.js";
import type { StoreConformanceOptions } from "./types.js";

export function describeStoreConformance(name: string, options: StoreConformanceOptions): void {
  describe(`${name}: SecretsStore conformance`, () => {
    const harness = new ConformanceHarness(options);
    let settingUp: Promise<void> | undefined;
    const setUp = () => {
      settingUp ??= harness.setUp();
      return settingUp;
    };
    afterAll(async () => {
      // A set-up that failed already failed every test; the store it may have built still closes.
      await settingUp?.catch(() => undefined);
      await harness.tearDown();
    });

    for (const planned of planCases(options)) {
      const title = `${planned.case.id} ${planned.case.title}`;
      if (planned.notApplicable) {
        // Skipped because the case cannot apply to this store (a capability it does not declare,
        // a write case on a read-only store) or is a known failure: reported rather than left
        // out, with the reason in the title, so the run shows the whole checklist.
        it.skip(`${title} (${planned.notApplicable})`, () => {}); // why: planCases' notApplicable reason
      } else {
        it(title, async () => {
          await setUp();
          await harness.run(planned.case);
        });
      }
    }

    it("H2 the suite leaves none of its secrets behind", async () => {
      await setUp();
      expect(await harness.leftovers()).toEqual([]);
    });
  });
}

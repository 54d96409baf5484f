/**
 * Registers the conformance suite with vitest:
 *
 *   describeStoreConformance("my-store", { create: () => new MyStore(…), capabilities: {…} });
 *
 * Cases that do not apply (a read-only store's write cases, lifecycle cases that need options you
 * did not give) are listed as skipped with the reason in their title. Cases for a capability the
 * store does not declare are replaced by C60, which checks that the capability is really absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConformanceHarness, planCases } from "./harness.js";
import type { StoreConformanceOptions } from "./types.js";

export function describeStoreConformance(name: string, options: StoreConformanceOptions): void {
  describe(`${name}: SecretsStore conformance`, () => {
    const harness = new ConformanceHarness(options);
    beforeAll(() => harness.setUp());
    afterAll(() => harness.tearDown());

    for (const planned of planCases(options)) {
      const title = `${planned.case.id} ${planned.case.title}`;
      if (planned.notApplicable) {
        // Not a gap: the case cannot apply to this store, and the title says why.
        it.skip(`${title} (not applicable: ${planned.notApplicable})`, () => {});
      } else {
        it(title, () => harness.run(planned.case));
      }
    }

    it("H2 the suite leaves none of its secrets behind", async () => {
      expect(await harness.leftovers()).toEqual([]);
    });
  });
}

/**
 * S26, apart from the other listing cases because it writes 1,000 secrets: a store package whose
 * backend is slow can skip it (ServiceConformanceOptions.skipLargeListing) and keep the rest.
 */
import { assert } from "../assertions.js";
import { listAll } from "./listing.js";
import type { ServiceCase } from "./types.js";

export const largeListingCase: ServiceCase = {
  id: "S26",
  title: "1,000 secrets list completely across pages, in order, each exactly once",
  async run({ alice, name, prefix }) {
    const total = 1000;
    const batch = 25;
    for (let start = 0; start < total; start += batch) {
      await Promise.all(
        Array.from({ length: batch }, (_, i) =>
          alice.create({
            name: name(`bulk-${String(start + i).padStart(4, "0")}`),
            values: { n: String(start + i) },
          }),
        ),
      );
    }
    const listed = await listAll(alice, { name: { startsWith: prefix }, limit: 100 });
    assert.equal(listed.items.length, total);
    assert.equal(listed.pages, 10);
    assert.deepEqual(
      listed.items.map((item) => item.name),
      Array.from({ length: total }, (_, i) => name(`bulk-${String(i).padStart(4, "0")}`)),
    );
  },
};

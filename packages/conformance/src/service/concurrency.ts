/**
 * Service concurrency (S50, S51): concurrent check-and-set updates have one winner per version,
 * and concurrent merges without it are serialised so that no update is lost.
 */
import { VersionConflictError } from "@coffer/core";
import { assert } from "../assertions.js";
import type { ServiceCase } from "./types.js";

export const concurrencyCases: ServiceCase[] = [
  {
    id: "S50",
    title: "64 concurrent check-and-set updates: exactly one winner per version, and no update is lost",
    async run({ alice, name }) {
      const ref = { name: name("counter") };
      await alice.create({ name: name("counter"), values: {} });
      const writers = 64;
      const winsPerVersion = new Map<number, number>();
      let conflicts = 0;
      await Promise.all(
        Array.from({ length: writers }, async (_, writer) => {
          for (let attempt = 0; attempt < 500; attempt++) {
            const current = await alice.getMetadata(ref);
            try {
              const updated = await alice.update(
                ref,
                { values: { [`writer-${writer}`]: "done" } },
                { expectedVersion: current.version },
              );
              winsPerVersion.set(updated.version, (winsPerVersion.get(updated.version) ?? 0) + 1);
              return;
            } catch (error) {
              if (!(error instanceof VersionConflictError)) throw error;
              conflicts++;
              // Back off like a real client: with a synchronous metadata database (SQLite) the
              // retries would otherwise run back to back as microtasks and starve the I/O of the
              // writer holding the lock (its store call never gets its answer). The backoff grows
              // (1 ms up to ~100 ms, with jitter): a fixed short one still keeps 63 losers busy
              // enough that a store needing several calls per update (gcp: five) takes about a
              // second per winner and the last writers run out of attempts.
              const ceiling = Math.min(64, 2 ** Math.min(attempt, 6));
              await new Promise((resolve) => setTimeout(resolve, ceiling * (0.5 + Math.random())));
            }
          }
          throw new Error(`writer ${writer} never got its update in`);
        }),
      );
      const final = await alice.get(ref);
      assert.equal(final.version, writers + 1, "one version per writer");
      assert.equal(Object.keys(final.values).length, writers, "every writer's key is there: no lost update");
      for (let version = 2; version <= writers + 1; version++) {
        assert.equal(winsPerVersion.get(version), 1, `version ${version} must have exactly one winner`);
      }
      assert.ok(conflicts > 0, "the writers really raced");
    },
  },
  {
    id: "S51",
    title: "concurrent merges without check-and-set are serialised: none is lost",
    async run({ alice, name }) {
      const ref = { name: name("merge") };
      await alice.create({ name: name("merge"), values: {} });
      await Promise.all(
        Array.from({ length: 16 }, (_, i) => alice.update(ref, { values: { [`k${i}`]: String(i) } })),
      );
      const final = await alice.get(ref);
      assert.equal(Object.keys(final.values).length, 16);
      assert.equal(final.version, 17);
    },
  },
];

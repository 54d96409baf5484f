/**
 * Hygiene case H8: no error a store throws (exists, not found, too large, conflict) carries a
 * secret value, neither one it holds nor one it was asked to write.
 */
import {
  isCofferError,
  SecretExistsError,
  SecretNotFoundError,
  ValueTooLargeError,
  VersionConflictError,
} from "@coffer/core";
import { assert, assertNoValueIn, marker, rejectsWith, valuesOfSize } from "../assertions.js";
import type { ConformanceCase } from "../types.js";
import { needsWrites } from "./write.js";

export const hygieneCases: ConformanceCase[] = [
  {
    id: "H8",
    title:
      "errors never carry secret values, the stored ones nor the ones being written (exists, not found, too large, conflict)",
    group: "hygiene",
    notApplicable: needsWrites,
    async run({ store, newId, capabilities }) {
      // A marker per write, so an error that shows the values it was given is caught as surely as
      // one that shows what was stored.
      const markers: string[] = [];
      const next = () => {
        markers.push(marker());
        return markers.at(-1)!;
      };
      const id = newId();
      await store.create(id, { password: next() });
      const errors = [
        await rejectsWith(store.create(id, { password: next() }), SecretExistsError, "a second create"),
        await rejectsWith(
          store.update(newId(), { password: next() }),
          SecretNotFoundError,
          "update of a missing id",
        ),
      ];
      const oversize = { ...valuesOfSize(capabilities.maxValueBytes + 1), password: next() };
      errors.push(await rejectsWith(store.update(id, oversize), ValueTooLargeError, "an oversize update"));
      if (capabilities.cas) {
        errors.push(
          await rejectsWith(
            store.update(id, { password: next() }, { expectedRevision: 99 }),
            VersionConflictError,
            "a stale check-and-set",
          ),
        );
      }
      for (const error of errors) {
        assert.ok(isCofferError(error));
        for (const value of markers) assertNoValueIn(error, value, error.name);
      }
    },
  },
];

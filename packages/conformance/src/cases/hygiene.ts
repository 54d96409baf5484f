import {
  isCofferError,
  SecretExistsError,
  SecretNotFoundError,
  ValueTooLargeError,
  VersionConflictError,
} from "@coffer/core";
import { assert, assertNoValueIn, marker, rejectsWith, valuesOfSize } from "../assertions.js";
import type { ConformanceCase } from "../types.js";
import { needsReadWrite } from "./write.js";

export const hygieneCases: ConformanceCase[] = [
  {
    id: "H8",
    title: "errors never carry secret values (exists, not found, too large, conflict)",
    group: "hygiene",
    notApplicable: needsReadWrite,
    async run({ store, newId, capabilities }) {
      const secret = marker();
      const id = newId();
      await store.create(id, { password: secret });
      const errors = [
        await rejectsWith(store.create(id, { password: secret }), SecretExistsError, "a second create"),
        await rejectsWith(
          store.update(newId(), { password: secret }),
          SecretNotFoundError,
          "update of a missing id",
        ),
      ];
      const oversize = { ...valuesOfSize(capabilities.maxValueBytes + 1), password: secret };
      errors.push(await rejectsWith(store.update(id, oversize), ValueTooLargeError, "an oversize update"));
      if (capabilities.cas) {
        errors.push(
          await rejectsWith(
            store.update(id, { password: secret }, { expectedRevision: 99 }),
            VersionConflictError,
            "a stale check-and-set",
          ),
        );
      }
      for (const error of errors) {
        assert.ok(isCofferError(error));
        assertNoValueIn(error, secret, error.name);
      }
    },
  },
];

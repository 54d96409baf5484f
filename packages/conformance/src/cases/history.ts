/**
 * History cases (C31.3–C31.5), for stores that declare `versions`: a revision that is not there is
 * SecretNotFoundError, deleting a secret deletes its history, and a revision number of one id
 * never answers with another id's values. (C31 checks revisions read back, C31.1 retention.)
 */
import { SecretNotFoundError } from "@coffer/core";
import { assert, rejectsWith, sameValues } from "../assertions.js";
import type { ConformanceCase, StoreConformanceOptions } from "../types.js";

const needsReadWrite = (options: StoreConformanceOptions) =>
  options.capabilities.access === "read-write" ? undefined : "the store is not read-write";

export const historyCases: ConformanceCase[] = [
  {
    id: "C31.3",
    title: "versions: a revision that does not exist, or of an id that does not, is SecretNotFoundError",
    group: "write",
    requires: "versions",
    notApplicable: needsReadWrite,
    async run({ store, newId }) {
      const id = newId();
      await store.create(id, { v: "fake-one" });
      await store.update(id, { v: "fake-two" });
      await rejectsWith(store.getRevision(id, 3), SecretNotFoundError, "the revision after the current one");
      await rejectsWith(store.getRevision(id, 0), SecretNotFoundError, "revision 0");
      await rejectsWith(store.getRevision(newId(), 1), SecretNotFoundError, "revision 1 of a missing id");
    },
  },
  {
    id: "C31.4",
    title: "versions: deleting a secret deletes its history; an id created again starts at revision 1",
    group: "write",
    requires: "versions",
    notApplicable: needsReadWrite,
    async run({ store, newId }) {
      const id = newId();
      await store.create(id, { v: "fake-old-1" });
      await store.update(id, { v: "fake-old-2" });
      await store.update(id, { v: "fake-old-3" });
      await store.delete(id);
      await rejectsWith(store.getRevision(id, 1), SecretNotFoundError, "revision 1 of a deleted secret");
      await store.create(id, { v: "fake-new-1" });
      assert.equal(await store.currentRevision(id), 1, "the id created again starts at revision 1");
      sameValues(await store.getRevision(id, 1), { v: "fake-new-1" }, "revision 1 of the new secret");
      await rejectsWith(
        store.getRevision(id, 2),
        SecretNotFoundError,
        "revision 2, which only the deleted secret had",
      );
    },
  },
  {
    id: "C31.5",
    title: "versions: a revision of one id never answers for another id",
    group: "write",
    requires: "versions",
    notApplicable: needsReadWrite,
    async run({ store, newId }) {
      const long = newId();
      const short = newId();
      await store.create(long, { v: "fake-long-1" });
      await store.create(short, { v: "fake-short-1" });
      await store.update(long, { v: "fake-long-2" });
      await store.update(long, { v: "fake-long-3" });
      await rejectsWith(
        store.getRevision(short, 2),
        SecretNotFoundError,
        "revision 2 of the one-revision id",
      );
      await rejectsWith(
        store.getRevision(short, 3),
        SecretNotFoundError,
        "revision 3 of the one-revision id",
      );
      sameValues(await store.getRevision(short, 1), { v: "fake-short-1" }, "the short id's revision 1");
      sameValues(await store.getRevision(long, 1), { v: "fake-long-1" }, "the long id's revision 1");
      sameValues(await store.getRevision(long, 2), { v: "fake-long-2" }, "the long id's revision 2");
    },
  },
];

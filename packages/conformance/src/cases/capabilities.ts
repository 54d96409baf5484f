/**
 * Capability cases (C60–C63): what a store declares is what it does. An undeclared optional
 * capability throws NotSupportedError, the declaration matches store.capabilities(), and a
 * read-only or write-only store refuses the other side.
 */
import { NotSupportedError, type SecretsStore, type StoreCapabilities } from "@coffer/core";
import { assert, rejectsWith } from "../assertions.js";
import type { CaseContext, ConformanceCase } from "../types.js";

/** An id that exists when the store can hold one, for negative checks that need a real target. */
async function someId(context: CaseContext): Promise<string> {
  const { capabilities } = context;
  if (capabilities.access === "read-write" || context.options.seed) return context.put({ k: "fake" });
  return context.newId();
}

type Optional = "versions" | "cas" | "softDelete";

// Thunks, so each call starts only when it is awaited (no rejection waits unhandled).
const negative: Record<
  Optional,
  (store: SecretsStore, id: string) => Array<[string, () => Promise<unknown>]>
> = {
  versions: (store, id) => [["getRevision", () => store.getRevision(id, 1)]],
  cas: (store, id) => [
    ["update with expectedRevision", () => store.update(id, { k: "x" }, { expectedRevision: 1 })],
  ],
  softDelete: (store, id) => [["restore", () => store.restore(id)]],
};

export const capabilityCases: ConformanceCase[] = [
  {
    id: "C60",
    title: "every capability that is not declared throws NotSupportedError when used",
    group: "capabilities",
    async run(context) {
      const { store, capabilities } = context;
      const missing = (Object.keys(negative) as Optional[]).filter((capability) => !capabilities[capability]);
      if (!capabilities.versions && !capabilities.cas) {
        const id = await someId(context);
        await rejectsWith(
          store.currentRevision(id),
          NotSupportedError,
          "currentRevision without versions or cas",
        );
      }
      for (const capability of missing) {
        const id = await someId(context);
        for (const [operation, attempt] of negative[capability](store, id)) {
          await rejectsWith(
            attempt(),
            NotSupportedError,
            `${operation} without the '${capability}' capability`,
          );
        }
      }
    },
  },
  {
    id: "C61",
    title: "the capabilities the suite was told equal store.capabilities(), and are sane",
    group: "capabilities",
    async run({ store, capabilities }) {
      const reported: StoreCapabilities = store.capabilities();
      assert.deepEqual(
        { ...reported },
        { ...capabilities },
        "declared capabilities drifted from store.capabilities()",
      );
      assert.ok(
        Number.isInteger(reported.maxValueBytes) && reported.maxValueBytes >= 1024,
        "maxValueBytes ≥ 1024",
      );
      assert.ok(Number.isInteger(reported.batchGetMax) && reported.batchGetMax >= 1, "batchGetMax ≥ 1");
      if (reported.cas) assert.ok(typeof store.currentRevision === "function", "cas needs currentRevision");
    },
  },
  {
    id: "C63",
    title: "the access mode is honoured: a read-only store refuses writes, a write-only store refuses reads",
    group: "capabilities",
    notApplicable: (options) =>
      options.capabilities.access === "read-write"
        ? "the store is read-write (covered by every other case)"
        : undefined,
    async run(context) {
      const { store, capabilities, newId } = context;
      if (capabilities.access === "read-only") {
        await rejectsWith(
          store.create(newId(), { k: "x" }),
          NotSupportedError,
          "create on a read-only store",
        );
        await rejectsWith(
          store.update(newId(), { k: "x" }),
          NotSupportedError,
          "update on a read-only store",
        );
        await rejectsWith(store.delete(newId()), NotSupportedError, "delete on a read-only store");
      } else {
        await rejectsWith(store.get(newId()), NotSupportedError, "get on a write-only store");
        await rejectsWith(store.getMany([newId()]), NotSupportedError, "getMany on a write-only store");
      }
    },
  },
];

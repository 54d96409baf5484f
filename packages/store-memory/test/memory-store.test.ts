import { BackendUnavailableError, instantiateStore, newSecretId, silentLogger } from "@coffer/core";
import { describe, expect, it } from "vitest";
import { MemoryStore, memoryStore } from "../src/index.js";

const context = { deploymentId: "t", dataDir: "/tmp", databaseUrl: "", logger: silentLogger };

describe("memory store", () => {
  it("is created from validated options through its registration", async () => {
    const store = instantiateStore(memoryStore, { maxValueBytes: 2048 }, context);
    expect(store.capabilities().maxValueBytes).toBe(2048);
    expect(() => instantiateStore(memoryStore, { maxValueBytes: "big" }, context)).toThrow(
      /option 'maxValueBytes'/,
    );
  });

  it("counts one getMany backend call per batch", async () => {
    const store = new MemoryStore({ batchGetMax: 10 });
    const ids = Array.from({ length: 25 }, () => newSecretId());
    for (const id of ids) await store.create(id, { k: "fake" });
    await store.getMany(ids);
    expect(store.calls.getMany).toBe(3);
  });

  it("fails the next calls of an operation on request, then recovers", async () => {
    const store = new MemoryStore();
    const id = newSecretId();
    store.injectFault("create", undefined, 2);
    await expect(store.create(id, { k: "fake" })).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(store.create(id, { k: "fake" })).rejects.toBeInstanceOf(BackendUnavailableError);
    await store.create(id, { k: "fake" });
    expect(await store.get(id)).toEqual({ k: "fake" });
  });

  it("shares contents between stores of the same name, and only those", async () => {
    const id = newSecretId();
    await new MemoryStore({ shared: "a" }).create(id, { k: "fake" });
    expect(await new MemoryStore({ shared: "a" }).get(id)).toEqual({ k: "fake" });
    await expect(new MemoryStore({ shared: "b" }).get(id)).rejects.toThrow(/holds no secret/);
  });

  it("keeps only maxVersions revisions", async () => {
    const store = new MemoryStore({ maxVersions: 2 });
    const id = newSecretId();
    await store.create(id, { v: "1" });
    await store.update(id, { v: "2" });
    await store.update(id, { v: "3" });
    expect(await store.getRevision(id, 2)).toEqual({ v: "2" });
    await expect(store.getRevision(id, 1)).rejects.toMatchObject({ hint: "Revisions 2 to 3 are kept." });
  });

  it("refuses every call once closed, with a retryable error", async () => {
    const store = new MemoryStore();
    await store.close();
    await expect(store.get(newSecretId())).rejects.toBeInstanceOf(BackendUnavailableError);
    expect((await store.health()).status).toBe("error");
  });
});

import { formatReference } from "@coffer/core";
import { describe, expect, it } from "vitest";
import { memoryService, sqliteUrl } from "./helpers.js";

const alice = { id: "alice" };

describe("reference validation and resolution are batched", () => {
  it("validates 500 references over 100 secrets without a single store call, and resolves them in ⌈100 / batch⌉ calls", async () => {
    const { service, store } = await memoryService(sqliteUrl(), { batchGetMax: 20 });
    for (let i = 0; i < 100; i++) {
      await service.create(alice, {
        name: `svc-${i}`,
        values: { user: `fake-user-${i}`, password: `fake-pw-${i}` },
      });
    }
    const config = Object.fromEntries(
      Array.from({ length: 500 }, (_, i) => [
        `ref${i}`,
        formatReference(`svc-${i % 100}`, i % 2 ? "user" : "password"),
      ]),
    );
    const before = { ...store.calls };

    expect(await service.validateReferences(alice, config)).toEqual([]);
    expect(store.calls).toEqual(before);

    const resolved = await service.resolveReferences(alice, config);
    expect(store.calls.getMany - before.getMany).toBe(5);
    expect(store.calls.get - before.get).toBe(0);
    expect(resolved.ref1).toBe("fake-user-1");
    expect(resolved.ref102).toBe("fake-pw-2");
  });
});

// forEachBounded, the restore's worker pool over a stream: never more than the limit in flight,
// one name at a time, a failure stops the pulling but lets every pulled item finish.
import { describe, expect, it } from "vitest";
import { forEachBounded } from "../src/bounded-stream.js";

const tick = (ms = 1) => new Promise((resolve) => setTimeout(resolve, ms));

/** A stream of `count` items that records how far it was pulled. */
function stream(count: number, keys: (i: number) => string = (i) => `k${i}`) {
  const state = { pulled: 0 };
  async function* items() {
    for (let i = 0; i < count; i++) {
      state.pulled++;
      yield { i, key: keys(i) };
    }
  }
  return { state, items: items() };
}

describe("forEachBounded", () => {
  it("keeps at most `limit` items in flight, and does use them", async () => {
    const { items } = stream(40);
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    await forEachBounded(
      items,
      5,
      (item) => item.key,
      async ({ i }) => {
        most = Math.max(most, ++inFlight);
        await tick(1 + (i % 3));
        inFlight--;
        done.push(i);
      },
    );
    expect(most).toBe(5);
    expect(done.sort((a, b) => a - b)).toEqual([...Array(40).keys()]);
  });

  it("runs items of one key one after another, in the order pulled", async () => {
    const { items } = stream(24, (i) => `k${i % 3}`);
    const running = new Set<string>();
    const order: Record<string, number[]> = {};
    await forEachBounded(
      items,
      8,
      (item) => item.key,
      async ({ i, key }) => {
        expect(running.has(key), `two items of ${key} at once`).toBe(false);
        running.add(key);
        await tick(1 + ((i * 7) % 4));
        running.delete(key);
        order[key] = [...(order[key] ?? []), i];
      },
    );
    expect(order).toEqual({
      k0: [0, 3, 6, 9, 12, 15, 18, 21],
      k1: [1, 4, 7, 10, 13, 16, 19, 22],
      k2: [2, 5, 8, 11, 14, 17, 20, 23],
    });
  });

  it("on a failure stops pulling, finishes what was pulled, and throws the first failure", async () => {
    const { state, items } = stream(100);
    const finished: number[] = [];
    const failed = forEachBounded(
      items,
      4,
      (item) => item.key,
      async ({ i }) => {
        await tick(i === 5 ? 1 : 20);
        if (i === 5) throw new Error("fake failure at 5");
        finished.push(i);
      },
    );
    await expect(failed).rejects.toThrow("fake failure at 5");
    // 0–5, and the few pulled into the slots freed while 5 ran: each pulled one is handled.
    expect(state.pulled).toBeLessThan(12);
    expect(finished.sort((a, b) => a - b)).toEqual([...Array(state.pulled).keys()].filter((i) => i !== 5));
  });

  it("a failing stream: the items already pulled finish, then its error is thrown", async () => {
    async function* broken() {
      yield { key: "a" };
      yield { key: "b" };
      throw new Error("fake damaged archive");
    }
    const finished: string[] = [];
    await expect(
      forEachBounded(
        broken(),
        8,
        (item) => item.key,
        async ({ key }) => {
          await tick(5);
          finished.push(key);
        },
      ),
    ).rejects.toThrow("fake damaged archive");
    expect(finished.sort()).toEqual(["a", "b"]);
  });

  it("refuses a limit that is not a positive integer", async () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      await expect(
        forEachBounded(
          stream(1).items,
          limit,
          () => "k",
          async () => {},
        ),
      ).rejects.toThrow(RangeError);
    }
  });
});

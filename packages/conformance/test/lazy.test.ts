// The store suite builds its store in the first test that runs, not in a hook: inside a wrapper
// that skips every test (testkit's describeWith without Docker), nothing is ever built. The
// suite's teardown still runs.
import { MemoryStore } from "@coffer/store-memory";
import { beforeEach, describe, expect, it } from "vitest";
import { describeStoreConformance } from "../src/index.js";

const capabilities = {
  access: "read-write",
  maxValueBytes: 4096,
  batchGetMax: 1,
  versions: false,
  cas: false,
  softDelete: false,
} as const;

let built = 0;
let tornDown = 0;

describe("a wrapper that skips every test", () => {
  beforeEach((context) => context.skip("the backend cannot run here"));
  describeStoreConformance("never needed", {
    create: () => {
      built++;
      return new MemoryStore({
        maxValueBytes: 4096,
        batchGetMax: 1,
        versions: false,
        cas: false,
        softDelete: false,
      });
    },
    capabilities,
    teardown: async () => {
      tornDown++;
    },
  });
});

describe("after the skipped suite", () => {
  it("built no store, and still ran the teardown", () => {
    expect(built).toBe(0);
    expect(tornDown).toBe(1);
  });
});

let builtOnce = 0;
describeStoreConformance("memory, counted", {
  create: () => {
    builtOnce++;
    return new MemoryStore({
      maxValueBytes: 4096,
      batchGetMax: 1,
      versions: false,
      cas: false,
      softDelete: false,
    });
  },
  capabilities,
});

describe("after a suite that ran", () => {
  it("built its shared store once (C01 and C03 build their own on top)", () => {
    // The shared store, plus one each for C01 (init with valid options) and C03 (close twice).
    expect(builtOnce).toBe(3);
  });
});

// COFFER_METADATA_CACHE_ENTRIES reaches the service's read cache (packages/service,
// metadata-cache.ts): on by default with its bound, 0 turns it off, a bad value stops the start
// with a line naming the variable.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEFAULT_CACHE_ENTRIES } from "@coffer/service";
import { describe, expect, it } from "vitest";
import { startServer } from "../src/index.js";

const start = (extra: Record<string, string>) =>
  startServer({
    env: {
      COFFER_DATA_DIR: mkdtempSync(path.join(tmpdir(), "coffer-cache-config-")),
      COFFER_LOG_LEVEL: "silent",
      ...extra,
    },
    settings: { port: 0 },
    log: false,
  });

describe("COFFER_METADATA_CACHE_ENTRIES", () => {
  it("on by default; a number sets the bound; 0 turns the cache off", async () => {
    for (const [env, expected] of [
      [{}, DEFAULT_CACHE_ENTRIES],
      [{ COFFER_METADATA_CACHE_ENTRIES: "3" }, 3],
      [{ COFFER_METADATA_CACHE_ENTRIES: "0" }, undefined],
    ] as const) {
      const server = await start(env);
      try {
        expect(server.service.metadataCache?.stats().maxEntries).toBe(expected);
      } finally {
        await server.close();
      }
    }
    expect(DEFAULT_CACHE_ENTRIES).toBe(10_000);
  });

  it("refuses a value that is not a whole number ≥ 0, naming the variable", async () => {
    await expect(start({ COFFER_METADATA_CACHE_ENTRIES: "-1" })).rejects.toThrow(
      /COFFER_METADATA_CACHE_ENTRIES/,
    );
    await expect(start({ COFFER_METADATA_CACHE_ENTRIES: "lots" })).rejects.toThrow(
      /COFFER_METADATA_CACHE_ENTRIES/,
    );
  });
});

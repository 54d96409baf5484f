// The composition root (parts.ts): swapping one of the application's parts — the clock, the
// logger, the metadata database, the service — is one registration, and the service runs on it.
import { existsSync } from "node:fs";
import path from "node:path";
import { createLogger, silentLogger } from "@coffer/core";
import { openDatabase } from "@coffer/sql";
import { MemoryStore } from "@coffer/store-memory";
import { describe, expect, it } from "vitest";
import { SecretsService, type ServiceParts, serviceRoot, startService } from "../src/index.js";
import { sqliteUrl, tempDir } from "./helpers.js";

const FIXED = Date.parse("2001-02-03T04:05:06.000Z");
const alice = { id: "alice" };

function parts(): ServiceParts {
  const databaseUrl = sqliteUrl();
  return {
    databaseUrl,
    dataDir: path.dirname(databaseUrl.slice("sqlite://".length)),
    store: () => new MemoryStore({ maxValueBytes: 4096 }),
    logger: silentLogger,
  };
}

describe("the composition root", () => {
  it("swaps the clock with one registration", async () => {
    const root = serviceRoot(parts()).register("clock", () => () => FIXED);
    const service = await startService(root);
    try {
      const secret = await service.as(alice).create({ name: "db", values: { password: "fake-pw" } });
      expect(secret.createdAt.toISOString()).toBe("2001-02-03T04:05:06.000Z");
    } finally {
      await service.close();
    }
  });

  it("swaps the logger with one registration", async () => {
    const lines: string[] = [];
    const root = serviceRoot(parts()).provide("logger", createLogger({ write: (line) => lines.push(line) }));
    const service = await startService(root);
    try {
      await service.as(alice).create({ name: "db", values: { password: "fake-pw" } });
    } finally {
      await service.close();
    }
    expect(lines.map((line) => JSON.parse(line).message)).toContain("secret created");
    expect(lines.join("\n")).not.toContain("fake-pw");
  });

  it("swaps the metadata database with one registration", async () => {
    const elsewhere = path.join(tempDir(), "elsewhere.db");
    const root = serviceRoot(parts()).register("database", () => openDatabase(`sqlite://${elsewhere}`));
    const service = await startService(root);
    try {
      expect(service.databaseLocation).toContain(elsewhere);
      expect(existsSync(elsewhere)).toBe(true);
    } finally {
      await service.close();
    }
  });

  it("swaps the service itself, built from the same wired parts", async () => {
    let built = 0;
    const root = serviceRoot(parts()).register("service", () => (options) => {
      built++;
      return new SecretsService(options);
    });
    const service = await startService(root);
    await service.close();
    expect(built).toBe(1);
  });
});

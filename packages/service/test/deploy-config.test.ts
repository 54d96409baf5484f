// The service opened from deploy-time configuration (loadConfig → openService): Coffer's own
// settings reach it. COFFER_METADATA_KEYRING given as `@file` (a Docker or Kubernetes secret) is the
// key replicas share: no keyring file is made in the data directory, and a second instance with
// another data directory reads the rows the first sealed.
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { StoreRegistry } from "@coffer/core";
import { loadConfig } from "@coffer/core/config";
import memoryStore from "@coffer/store-memory";
import { describe, expect, it } from "vitest";
import { METADATA_KEYRING_FILE, openService } from "../src/index.js";
import { sqliteUrl, tempDir } from "./helpers.js";

const alice = { id: "alice" };
const KEYRING = JSON.stringify({ active: "m1", keys: { m1: Buffer.alloc(32, 3).toString("base64") } });

describe("openService from deploy-time configuration", () => {
  it("seals with the metadata keyring COFFER_METADATA_KEYRING names, shared by instances with their own data directories", async () => {
    const keyringFile = path.join(tempDir(), "metadata-keyring");
    writeFileSync(keyringFile, `${KEYRING}\n`);
    const databaseUrl = sqliteUrl();
    const open = async (dataDir: string) =>
      openService(
        await loadConfig({
          registry: new StoreRegistry().register(memoryStore),
          env: {
            COFFER_STORE_TYPE: "memory",
            COFFER_DATA_DIR: dataDir,
            COFFER_DATABASE_URL: databaseUrl,
            COFFER_METADATA_KEYRING: `@${keyringFile}`,
          },
        }),
      );

    const firstDir = tempDir();
    const first = await open(firstDir);
    await first.put(alice, "db", { password: "fake-password" });
    await first.close();
    expect(existsSync(path.join(firstDir, METADATA_KEYRING_FILE))).toBe(false);

    // Another instance: its own (empty) data directory, the same database and keyring. The memory
    // store starts empty, so the row is verified (listing checks seals) though its values are gone.
    const second = await open(tempDir());
    try {
      const page = await second.list(alice, {});
      expect(page.items.map((secret) => secret.name)).toEqual(["db"]);
    } finally {
      await second.close();
    }
  });
});

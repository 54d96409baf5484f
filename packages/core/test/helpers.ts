import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { defineStore, InvalidConfigError, StoreRegistry } from "../src/index.js";

/** A registration with one option of every kind the loader coerces. */
export const cloudLikeStore = defineStore({
  type: "cloudlike",
  description: "A stand-in for a cloud store, for configuration tests.",
  optionsSchema: z
    .object({
      region: z.string().min(1),
      namePrefix: z.string().default("coffer"),
      maxVersions: z.number().int().min(1).max(100).default(1),
      forceDelete: z.boolean().default(false),
      extraTags: z.record(z.string(), z.string()).default({}),
      apiToken: z.string().optional(),
    })
    .strict(),
  sensitiveOptions: ["apiToken"],
  create() {
    throw new Error("configuration tests never create the store");
  },
});

export const plainStore = defineStore({
  type: "plain",
  description: "A store without options.",
  optionsSchema: z.object({}).strict(),
  create() {
    throw new Error("configuration tests never create the store");
  },
});

export function testRegistry(): StoreRegistry {
  return new StoreRegistry().register(cloudLikeStore).register(plainStore);
}

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), "coffer-core-test-"));
}

export function writeTemp(name: string, content: string): string {
  const file = path.join(tempDir(), name);
  writeFileSync(file, content);
  return file;
}

/** Runs `attempt` and returns the InvalidConfigError it must throw. */
export async function configError(attempt: () => Promise<unknown>): Promise<InvalidConfigError> {
  try {
    await attempt();
  } catch (error) {
    if (error instanceof InvalidConfigError) return error;
    throw error;
  }
  throw new Error("expected an InvalidConfigError, but the call succeeded");
}

/** A registration with file-valued options: a PEM bundle (text), a JSON map, and a credential. */
export const fileOptionsStore = defineStore({
  type: "filey",
  description: "A store whose options name files, for configuration tests.",
  optionsSchema: z
    .object({
      tlsCa: z.string().min(1).optional(),
      labels: z.record(z.string(), z.string()).optional(),
      clientKey: z.string().optional(),
    })
    .strict(),
  sensitiveOptions: ["clientKey"],
  fileOptions: ["tlsCa", "labels", "clientKey"],
  create() {
    throw new Error("configuration tests never create the store");
  },
});

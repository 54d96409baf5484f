// H7: every store package in the repository is registered, loads, and documents its options;
// a second registration of a type fails.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { assertRegistration } from "@coffer/core";
import { optionNames } from "@coffer/core/config";
import { describe, expect, it } from "vitest";
import { builtinKeySourceLoaders, builtinStoreLoaders, builtinStores } from "../src/index.js";

const packagesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// packages/store-kit is the adapter kit the backends are built with, not a backend itself.
const storePackages = readdirSync(packagesDir)
  .filter((name) => name.startsWith("store-") && name !== "store-kit")
  .map((name) => name.slice("store-".length));

describe("built-in store catalogue", () => {
  it("finds the store packages", () => {
    expect(storePackages).toContain("memory");
  });

  it.each(storePackages)("registers packages/store-%s under its type, and it loads", async (type) => {
    expect(Object.keys(builtinStoreLoaders)).toContain(type);
    const registration = await builtinStores().get(type);
    assertRegistration(registration, type);
    expect(registration.type).toBe(type);
  });

  it.each(storePackages)("store-%s has a README that documents every option", async (type) => {
    const readme = path.join(packagesDir, `store-${type}`, "README.md");
    expect(existsSync(readme)).toBe(true);
    const text = readFileSync(readme, "utf8");
    const registration = await builtinStores().get(type);
    for (const option of optionNames(registration.optionsSchema))
      expect(text, `option ${option}`).toContain(`\`${option}\``);
  });

  // packages/kms-<provider> holds the key source named <provider>-kms (kms-vault: vault-transit).
  const kmsPackages = readdirSync(packagesDir).filter((name) => name.startsWith("kms-"));

  it.each(kmsPackages)(
    "registers packages/%s as a key source of the sql store, and it loads",
    async (name) => {
      const { default: registration } = await import(`@coffer/${name}`);
      expect(Object.keys(builtinKeySourceLoaders)).toContain(registration.name);
      expect(await builtinKeySourceLoaders[registration.name]!()).toBe(registration);
      const readme = readFileSync(path.join(packagesDir, name, "README.md"), "utf8");
      for (const option of optionNames(registration.optionsSchema))
        expect(readme, `option ${option}`).toContain(`\`${option}\``);
    },
  );

  it("refuses a second registration of a built-in type", async () => {
    const registry = builtinStores();
    const memory = await registry.get("memory");
    expect(() => registry.register(memory)).toThrow(/already registered/);
  });
});

import { describe, expect, it } from "vitest";
import { InvalidConfigError, instantiateStore, StoreRegistry, silentLogger } from "../src/index.js";
import { cloudLikeStore, plainStore } from "./helpers.js";

describe("store registry", () => {
  it("refuses a second registration of the same type", () => {
    const registry = new StoreRegistry().register(plainStore);
    expect(() => registry.register(plainStore)).toThrow(InvalidConfigError);
    expect(() => registry.register(plainStore)).toThrow(/A store of type 'plain' is already registered/);
  });

  it("keeps registries apart", () => {
    const a = new StoreRegistry().register(plainStore);
    const b = new StoreRegistry();
    expect(a.has("plain")).toBe(true);
    expect(b.has("plain")).toBe(false);
    expect(() => b.register(plainStore)).not.toThrow();
  });

  it("imports a lazy registration only when its type is used, and only once", async () => {
    let loads = 0;
    const registry = new StoreRegistry().registerLazy("cloudlike", async () => {
      loads++;
      return cloudLikeStore;
    });
    expect(registry.types()).toEqual(["cloudlike"]);
    expect(loads).toBe(0);
    await registry.get("cloudlike");
    await registry.get("cloudlike");
    expect(loads).toBe(1);
  });

  it("rejects a lazy module that declares another type", async () => {
    const registry = new StoreRegistry().registerLazy("other", async () => cloudLikeStore);
    await expect(registry.get("other")).rejects.toThrow(/defines type 'cloudlike'/);
  });

  it("names the known types when asked for an unknown one", async () => {
    const registry = new StoreRegistry().register(plainStore).register(cloudLikeStore);
    await expect(registry.get("nope")).rejects.toMatchObject({
      message: "'nope' is not a known store type.",
      hint: "Use one of: cloudlike, plain.",
    });
  });

  it("rejects malformed registrations and type names", () => {
    const registry = new StoreRegistry();
    expect(() => registry.register({ ...plainStore, type: "Has Spaces" })).toThrow(
      /'type' must be a lowercase name/,
    );
    expect(() => registry.register({ ...plainStore, create: undefined as never })).toThrow(
      /'create' must be a function/,
    );
  });
});

describe("instantiateStore", () => {
  const context = {
    deploymentId: "test",
    dataDir: "/tmp",
    databaseUrl: "sqlite://:memory:",
    logger: silentLogger,
  };

  it("rejects options the schema refuses with an InvalidConfigError naming the option", () => {
    expect(() => instantiateStore(cloudLikeStore, { region: "" }, context)).toThrow(
      /The 'cloudlike' store's option 'region' is invalid/,
    );
  });

  it("rejects a factory that returns something that is not a store", () => {
    const broken = { ...plainStore, create: () => ({ get() {} }) as never };
    expect(() => instantiateStore(broken, {}, context)).toThrow(
      /returned an object without capabilities, init, create/,
    );
  });
});

// Keys named like Object.prototype's members are ordinary keys: `__proto__`, `constructor`,
// `prototype` and `hasOwnProperty` must round-trip as own keys of the values object, through
// create, get, update, put, the Secret handle, local overrides and remote mode — never reach (or
// replace) a prototype.
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { RunningServer } from "@coffer/server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type CofferClient, createClient } from "../src/index.js";
import { freshClient, localEnv, tempDir } from "./helpers.js";
import { startTestServer } from "./remote-server.js";

const RESERVED = ["__proto__", "constructor", "prototype", "hasOwnProperty"] as const;

/** { __proto__: "fake-proto", … } built with own properties (a literal `__proto__:` sets the prototype). */
function reservedValues(suffix = ""): Record<string, string> {
  const values: Record<string, string> = {};
  for (const key of RESERVED) {
    Object.defineProperty(values, key, {
      value: `fake-${key}${suffix}`,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return values;
}

function expectOwnReserved(values: Record<string, unknown>, suffix = ""): void {
  expect([Object.prototype, null]).toContain(Object.getPrototypeOf(values));
  for (const key of RESERVED) {
    expect(Object.hasOwn(values, key), key).toBe(true);
    expect(Object.getOwnPropertyDescriptor(values, key)?.value, key).toBe(`fake-${key}${suffix}`);
  }
  expect(Object.keys(values).sort()).toEqual([...RESERVED].sort());
  // Nothing leaked onto the shared prototype.
  expect(Object.hasOwn(Object.prototype, "fake")).toBe(false);
}

function roundTrips(open: () => Promise<CofferClient>) {
  let client: CofferClient;
  beforeAll(async () => {
    client = await open();
  });
  afterAll(() => client.close());

  it("create and get keep them as own keys", async () => {
    const created = await client.create({ name: "proto-create", values: reservedValues() });
    expect([...created.keys].sort()).toEqual([...RESERVED].sort());
    expectOwnReserved((await client.getSecret("proto-create")).values);
  });

  it("update merges them in as own keys", async () => {
    await client.create({ name: "proto-merge", values: { plain: "fake-plain" } });
    await client.updateSecret("proto-merge", { values: reservedValues("-2") });
    const merged = (await client.getSecret("proto-merge")).values;
    expect(merged.plain).toBe("fake-plain");
    for (const key of RESERVED) {
      expect(Object.getOwnPropertyDescriptor(merged, key)?.value, key).toBe(`fake-${key}-2`);
    }
  });

  it("update with mode replace, and removeKeys, keep them as own keys", async () => {
    await client.create({ name: "proto-replace", values: { plain: "fake-plain" } });
    await client.updateSecret("proto-replace", { values: reservedValues("-3"), mode: "replace" });
    expectOwnReserved((await client.getSecret("proto-replace")).values, "-3");
    await client.updateSecret("proto-replace", { removeKeys: ["__proto__"] });
    const removed = (await client.getSecret("proto-replace")).values;
    expect(Object.hasOwn(removed, "__proto__")).toBe(false);
    expect(Object.getPrototypeOf(removed)).toBe(Object.prototype);
    expect(removed.constructor).toBe("fake-constructor-3");
  });

  it("the Secret handle returns them as own keys", async () => {
    await client.create({ name: "proto-handle", values: reservedValues() });
    const handle = client.secret("proto-handle");
    expectOwnReserved((await handle.get()) as Record<string, unknown>);
    expect(await handle.get("__proto__")).toBe("fake-__proto__");
    expect(await handle.get("hasOwnProperty")).toBe("fake-hasOwnProperty");
    expectOwnReserved(await handle.values());
  });

  it("put keeps them as own keys", async () => {
    await client.put("proto-put", reservedValues());
    expectOwnReserved((await client.getSecret("proto-put")).values);
  });

  // Each of the others on its own, without __proto__ beside it.
  it("constructor, prototype and hasOwnProperty round-trip", async () => {
    const values = reservedValues();
    Reflect.deleteProperty(values, "__proto__"); // the own key, not the accessor
    await client.create({ name: "proto-others", values });
    const back = (await client.getSecret("proto-others")).values;
    for (const key of ["constructor", "prototype", "hasOwnProperty"]) {
      expect(Object.hasOwn(back, key), key).toBe(true);
      expect(back[key], key).toBe(`fake-${key}`);
    }
    expect(await client.secret("proto-others").get("constructor")).toBe("fake-constructor");
  });
}

describe("keys named like Object.prototype members (local mode)", () => {
  roundTrips(async () => freshClient().client);
});

describe("keys named like Object.prototype members (remote mode)", () => {
  let server: RunningServer;
  roundTrips(async () => {
    server = await startTestServer();
    await server.identity.createUser("alice", "writer");
    const { token } = await server.identity.issueToken("alice");
    return createClient({ url: server.url, token });
  });
  afterAll(() => server?.close());
});

describe("keys named like Object.prototype members in local overrides", () => {
  const open: CofferClient[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((client) => client.close()));
  });

  it("COFFER_LOCAL_SECRET_* keeps them as own keys", async () => {
    const json = `{${RESERVED.map((key) => `"${key}": "fake-${key}"`).join(", ")}}`;
    const { client } = freshClient({ extraEnv: { COFFER_LOCAL_SECRET_PROTO: json } });
    open.push(client);
    const resolved = await client.resolveValues("proto");
    expect(resolved.source).toBe("local");
    expectOwnReserved(resolved.values);
    expectOwnReserved((await client.secret("proto").get()) as Record<string, unknown>);
  });

  it("the configuration file's secrets: section keeps them as own keys", async () => {
    const dir = tempDir();
    const file = path.join(dir, "coffer.yaml");
    writeFileSync(
      file,
      `secrets:\n  proto:\n${RESERVED.map((key) => `    ${key}: fake-${key}`).join("\n")}\n`,
    );
    const client = createClient({ user: "alice", env: localEnv(dir, { COFFER_CONFIG_FILE: file }) });
    open.push(client);
    const resolved = await client.resolveValues("proto");
    expect(resolved.source).toBe("local");
    expectOwnReserved(resolved.values);
  });
});

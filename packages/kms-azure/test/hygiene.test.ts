// What the key source may show of itself: never the client secret it was configured with, never
// a data key — in util.inspect, JSON, its description, key status, health and its errors.
import { inspect } from "node:util";
import { instantiateStore, newSecretId } from "@coffer/core";
import type { AzureKeysEmulator } from "@coffer/emulators";
import type { SqlStore } from "@coffer/store-sql";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AzureKeysKek, azureKeysOptions } from "../src/index.js";
import { credential, failure, kmsOptions, registration, sqliteContext, startVault } from "./helpers.js";

const SECRET = "fake-client-secret-0123456789";

let emulator: AzureKeysEmulator;
let keyName: string;
beforeAll(async () => {
  ({ emulator, keyName } = await startVault());
});
afterAll(() => emulator.stop());

it("the client secret appears in no inspect, JSON, description, status, health or error", async () => {
  const options = {
    ...kmsOptions(emulator, keyName),
    tenantId: "contoso.example",
    clientId: "app",
    clientSecret: SECRET,
  };
  const kek = new AzureKeysKek(azureKeysOptions.parse(options), { credential });
  const store = instantiateStore(
    registration,
    { keySource: "azure-keys", kms: options },
    sqliteContext(),
  ) as SqlStore;
  const seen: string[] = [
    inspect(kek, { depth: 10, showHidden: true }),
    JSON.stringify(kek),
    kek.description,
  ];
  try {
    await store.init();
    await store.create(newSecretId(), { v: "fake-value" });
    seen.push(
      inspect(store, { depth: 10 }),
      JSON.stringify(await store.keyStatus()),
      JSON.stringify(await store.health()),
    );
    await emulator.suspend();
    const down = await failure(() => kek.probe());
    seen.push(down.message, JSON.stringify(down), inspect(down, { depth: 10 }));
  } finally {
    await emulator.resume();
    await store.close();
  }
  for (const text of seen) expect(text).not.toContain(SECRET);
});

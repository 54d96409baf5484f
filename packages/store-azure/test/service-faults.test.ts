// The outage suite (@coffer/conformance) over the azure store and SQLite metadata: Key Vault goes
// away (the emulator is suspended) and answers 503 or 429 (the emulator's failNext). Then what
// only Key Vault has: a delete is a DELETE and then a purge, and an outage between them must be
// finished by reconcile. Always against an in-process emulator, whose fault hooks these tests
// drive; the store makes one attempt per request (testInjections), so failures show at once.
import type { SecretClient, SecretClientOptions } from "@azure/keyvault-secrets";
import {
  describeOutageConformance,
  expectConsistent,
  openRecorded,
  rejectsUnavailable,
  repaired,
  type StepHooks,
  untilReady,
} from "@coffer/conformance";
import type { AzureEmulator } from "@coffer/emulators";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AzureStore } from "../src/index.js";
import { type AzureBackend, rawClient, serviceOver, startBackend, testInjections } from "./helpers.js";

let target: AzureBackend;
let emulator: AzureEmulator;
let raw: SecretClient;

beforeAll(async () => {
  target = await startBackend({ inProcess: true });
  emulator = target.emulator!;
  raw = rawClient(target);
});

afterEach(() => emulator.clearFaults());

afterAll(async () => {
  await target?.stop();
});

type PipelinePolicy = NonNullable<SecretClientOptions["additionalPolicies"]>[number]["policy"];

/** Which of `ids` Key Vault holds as live secrets, and which as deleted ones (by secret name). */
async function secretsInVault(store: AzureStore, ids: string[]) {
  const ours = new Set(ids.map((id) => store.nameOf(id)));
  const live: string[] = [];
  const deleted: string[] = [];
  for await (const secret of raw.listPropertiesOfSecrets()) if (ours.has(secret.name)) live.push(secret.name);
  for await (const secret of raw.listDeletedSecrets()) if (ours.has(secret.name)) deleted.push(secret.name);
  return { live: live.sort(), deleted: deleted.sort() };
}

/** A service whose store, when `policy` is given, sends every request through it too. */
async function open(hooks: StepHooks, policy?: PipelinePolicy) {
  const injections = testInjections(
    policy
      ? {
          clientOptions: {
            retryOptions: { maxRetries: 0 },
            additionalPolicies: [{ policy, position: "perCall" }],
          },
        }
      : {},
  );
  const opened = await serviceOver(target, { hooks }, injections);
  return {
    ...opened,
    outage: { begin: () => emulator.suspend(), end: () => emulator.resume() },
    // The store purges on delete: a deleted secret still waiting for its purge is a leftover too.
    held: async (ids: string[]) => {
      const { live, deleted } = await secretsInVault(opened.store, ids);
      const names = new Set([...live, ...deleted]);
      return ids.filter((id) => names.has(opened.store.nameOf(id)));
    },
  };
}

describeOutageConformance("azure store + SQLite metadata", {
  open: (hooks) => open(hooks),
  transientFaults: {
    "503": () => emulator.failNext(1),
    "429 throttling": () => emulator.failNext(1, { status: 429, retryAfterSeconds: 1 }),
  },
});

describe("a service over the azure store, through faults only Key Vault has", () => {
  it("a delete cut off after Key Vault deleted the secret but before the purge: reconcile purges it", async () => {
    // The outage starts the moment Key Vault has answered the DELETE: the store's wait for the
    // deletion and its purge never get through.
    let armed = true;
    const outageAfterDelete: PipelinePolicy = {
      name: "outage-after-delete",
      async sendRequest(request, next) {
        const response = await next(request);
        if (armed && request.method === "DELETE" && new URL(request.url).pathname.startsWith("/secrets/")) {
          armed = false;
          await emulator.suspend();
        }
        return response;
      },
    };
    const { target: opened, alice, ids } = await openRecorded((hooks) => open(hooks, outageAfterDelete));
    try {
      const { id } = await alice.create({ name: "db", values: { password: "fake-1" } });
      await rejectsUnavailable(alice.delete({ id }), "delete");
      await emulator.resume();
      await untilReady(opened.store);
      expect(await secretsInVault(opened.store, [id])).toEqual({
        live: [],
        deleted: [opened.store.nameOf(id)],
      });
      expect(await opened.service.reconcile({ olderThanMs: 0 })).toEqual(
        repaired({ completedDeletes: [id] }),
      );
      await expectConsistent(opened, alice, ids, {});
      expect(await secretsInVault(opened.store, [id])).toEqual({ live: [], deleted: [] });
    } finally {
      await emulator.resume();
      await opened.close();
    }
  });
});

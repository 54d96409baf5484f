// The outage suite (@coffer/conformance) over the gcp store and SQLite metadata: Secret Manager
// goes away (the emulator is suspended) and answers UNAVAILABLE or RESOURCE_EXHAUSTED (the
// emulator's failNext). Then what only Secret Manager has: a create is two calls (CreateSecret,
// AddSecretVersion), and an outage between them must not leave an empty secret behind. Always
// against an in-process emulator, whose fault hooks these tests drive; the store makes one attempt
// per call (testInjections), so failures show at once.
import {
  describeOutageConformance,
  expectConsistent,
  openRecorded,
  rejectsUnavailable,
  repaired,
  type StepHooks,
} from "@coffer/conformance";
import type { GcpEmulator } from "@coffer/emulators";
import type { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GcpStore } from "../src/index.js";
import { type GcpBackend, noRetry, PROJECT, rawClient, serviceOver, startBackend } from "./helpers.js";

let target: GcpBackend;
let emulator: GcpEmulator;
let raw: SecretManagerServiceClient;

beforeAll(async () => {
  target = await startBackend({ inProcess: true });
  emulator = target.emulator!;
  raw = rawClient(target);
});

afterEach(() => emulator.clearFaults());

afterAll(async () => {
  await raw?.close();
  await target?.stop();
});

/** Which of `ids` Secret Manager holds a secret for (looked up by the store's resource names). */
async function secretsHeld(store: GcpStore, ids: string[]): Promise<string[]> {
  const [secrets] = await raw.listSecrets(
    { parent: `projects/${PROJECT}` },
    { ...noRetry, autoPaginate: true },
  );
  const names = new Set(secrets.map((secret) => secret.name ?? ""));
  return ids.filter((id) => names.has(store.nameOf(id)));
}

async function open(hooks: StepHooks) {
  const opened = await serviceOver(target, { hooks });
  return {
    ...opened,
    outage: { begin: () => emulator.suspend(), end: () => emulator.resume() },
    held: (ids: string[]) => secretsHeld(opened.store, ids),
  };
}

describeOutageConformance("gcp store + SQLite metadata", {
  open,
  transientFaults: {
    UNAVAILABLE: () => emulator.failNext(1),
    "RESOURCE_EXHAUSTED (quota)": () => emulator.failNext(1, { code: "RESOURCE_EXHAUSTED" }),
  },
});

describe("a service over the gcp store, through faults only Secret Manager has", () => {
  it("a create cut off between its two Secret Manager calls leaves no empty secret behind once reconciled", async () => {
    const { target: opened, alice, ids, idsAt } = await openRecorded(open);
    try {
      // CreateSecret succeeds; AddSecretVersion fails, and so do the store's own roll-back and the
      // service's clean-up (both DeleteSecret): Secret Manager is left with a secret without versions.
      emulator.failNext(3, { methods: ["AddSecretVersion", "DeleteSecret"] });
      await rejectsUnavailable(alice.create({ name: "db", values: { password: "fake-1" } }), "create");
      const creates = idsAt("create.store-values");
      expect(creates).toHaveLength(1);
      expect(await opened.held(creates)).toEqual(creates);
      expect(await opened.service.reconcile({ olderThanMs: 0 })).toEqual(
        repaired({ rolledBackCreates: creates }),
      );
      await expectConsistent(opened, alice, ids, {});
      await alice.create({ name: "db", values: { password: "fake-2" } });
      await expectConsistent(opened, alice, ids, { db: [{ password: "fake-2" }] });
    } finally {
      await opened.close();
    }
  });
});

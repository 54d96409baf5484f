// The outage suite (@coffer/conformance) over the vault store and SQLite metadata: Vault goes away
// (the emulator is suspended), is sealed or rate-limited (the emulator's failNext), and goes away
// at each request of a create, an update and a delete (a cutting proxy in front of the emulator:
// create reads metadata, writes metadata, writes data; update reads data, reads metadata, writes
// data; delete reads metadata, deletes metadata). Reconcile must leave nothing half-written, in
// Coffer or in Vault. Needs the emulator's fault hooks.
import { describeOutageConformance, type StepHooks } from "@coffer/conformance";
import { OutageProxy } from "@coffer/testkit";
import { afterAll, beforeAll, describe } from "vitest";
import {
  externalAddress,
  rawClient,
  serviceOver,
  startBackend,
  statusOf,
  type VaultBackend,
  type VaultClient,
  type VaultTarget,
} from "./helpers.js";

let backend: VaultBackend;
let raw: VaultClient;
let proxy: OutageProxy;
beforeAll(async () => {
  if (externalAddress) return;
  backend = await startBackend();
  raw = rawClient(backend);
  proxy = await OutageProxy.start(backend.address);
});
afterAll(async () => {
  await proxy?.stop();
  await backend?.stop();
});

/** The secret ids under `deploymentId` for which Vault holds readable values (known or not). */
async function idsHoldingValues(deploymentId: string): Promise<string[]> {
  let keys: string[] = [];
  try {
    keys = (await raw.list(`secret/metadata/coffer-test/${deploymentId}`)).data.keys;
  } catch (error) {
    if ((await statusOf(Promise.reject(error))) !== 404) throw error;
  }
  const holding: string[] = [];
  for (const key of keys) {
    const status = await statusOf(raw.read(`secret/data/coffer-test/${deploymentId}/${key}`));
    if (status === 200) holding.push(key);
  }
  return holding;
}

/** A service on `target`, the store with a short timeout. */
async function open(target: VaultTarget, hooks: StepHooks) {
  const opened = await serviceOver(target, { timeoutMs: 2_000 }, { hooks });
  return {
    ...opened,
    outage: { begin: () => backend.emulator!.suspend(), end: () => backend.emulator!.resume() },
    held: () => idsHoldingValues(opened.service.deploymentId),
  };
}

describe.skipIf(externalAddress)("faults need the in-process emulator", () => {
  describeOutageConformance("vault store + SQLite metadata", {
    open: (hooks) => open(backend, hooks),
    transientFaults: {
      "a sealed Vault": () => backend.emulator!.failNext(1, "sealed"),
      "a rate-limited Vault": () => backend.emulator!.failNext(1, "rate-limited"),
    },
    requestCuts: {
      proxy: () => proxy,
      open: (hooks) => open({ address: proxy.url, token: backend.token }, hooks),
      // Two cuts per backend request; update includes the service's currentRevision read (history).
      expectedCuts: 18,
    },
  });
});

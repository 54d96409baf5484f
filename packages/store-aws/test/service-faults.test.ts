// The outage suite (@coffer/conformance) over the aws store and SQLite metadata: Secrets Manager
// goes away (the emulator is suspended), fails with throttling and 5xx answers (the emulator's
// failNext), and goes away at each request of a create, an update and a delete (a cutting proxy
// in front of the emulator: create is CreateSecret; update GetSecretValue, DescribeSecret,
// PutSecretValue; delete DescribeSecret, DeleteSecret). Reconcile must leave nothing
// half-written, in Coffer or in Secrets Manager. Needs the emulator's fault hooks.
import { ListSecretsCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { describeOutageConformance, type StepHooks } from "@coffer/conformance";
import { OutageProxy } from "@coffer/testkit";
import { afterAll, beforeAll, describe } from "vitest";
import { type AwsBackend, externalEndpoint, rawClient, serviceOver, startBackend } from "./helpers.js";

let backend: AwsBackend;
let raw: SecretsManagerClient;
let proxy: OutageProxy;
beforeAll(async () => {
  if (externalEndpoint) return;
  backend = await startBackend();
  raw = rawClient(backend.endpoint);
  proxy = await OutageProxy.start(backend.endpoint);
});
afterAll(async () => {
  await proxy?.stop();
  raw?.destroy();
  await backend?.stop();
});

/** The ids of the live AWS secrets under `deploymentId` (any the store left, known or not). */
async function liveIds(deploymentId: string): Promise<string[]> {
  const prefix = `coffer-test/${deploymentId}/`;
  const ids: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await raw.send(
      new ListSecretsCommand({ Filters: [{ Key: "name", Values: [prefix] }], MaxResults: 100, NextToken }),
    );
    ids.push(...(page.SecretList ?? []).map((secret) => secret.Name!.slice(prefix.length)));
    NextToken = page.NextToken;
  } while (NextToken);
  return ids;
}

/** A service at `endpoint`, the store with one attempt per call and a short timeout. */
async function open(endpoint: string, hooks: StepHooks) {
  const opened = await serviceOver(endpoint, { timeoutMs: 2_000 }, { hooks });
  return {
    ...opened,
    outage: { begin: () => backend.emulator!.suspend(), end: () => backend.emulator!.resume() },
    held: () => liveIds(opened.service.deploymentId),
  };
}

describe.skipIf(externalEndpoint)("faults need the in-process emulator", () => {
  describeOutageConformance("aws store + SQLite metadata", {
    open: (hooks) => open(backend.endpoint, hooks),
    transientFaults: {
      ThrottlingException: () => backend.emulator!.failNext(1, "ThrottlingException"),
      ServiceUnavailable: () => backend.emulator!.failNext(1, "ServiceUnavailable"),
    },
    // Two cuts per backend request: create is CreateSecret + the revision label, update its
    // PutSecretValue + label moves + the service's currentRevision read (history), delete one.
    requestCuts: { proxy: () => proxy, open: (hooks) => open(proxy.url, hooks), expectedCuts: 16 },
  });
});

// A SecretsService over the aws store while Secrets Manager goes away: reads and writes fail as
// typed, retryable errors without leaking values, listing keeps working (metadata is local), the
// same service object recovers, and reconcile repairs exactly the writes an outage interrupted,
// leaving nothing half-written. Faults come from the emulator's hooks, so this needs the emulator.
import { ListSecretsCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { BackendUnavailableError, type SecretsSession, type SecretValues } from "@coffer/core";
import type { SecretsService, ServiceHooks } from "@coffer/service";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AwsBackend, externalEndpoint, rawClient, serviceOver, startBackend } from "./helpers.js";

const NOTHING_TO_REPAIR = {
  completedCreates: [],
  rolledBackCreates: [],
  completedUpdates: [],
  completedDeletes: [],
  failed: [],
};

let backend: AwsBackend;
let raw: SecretsManagerClient;
beforeAll(async () => {
  backend = await startBackend();
  raw = rawClient(backend.endpoint);
});
afterAll(async () => {
  raw?.destroy();
  await backend?.stop();
});
// A failed assertion must not leave the emulator down for the next test.
afterEach(() => backend.emulator?.resume());

/** One service per test, as one process: SQLite metadata, the store with one attempt per call. */
async function open(hooks?: ServiceHooks) {
  const opened = await serviceOver(backend.endpoint, { timeoutMs: 2_000 }, hooks ? { hooks } : {});
  return { ...opened, alice: opened.service.as({ id: "alice" }) };
}

/** Rejects with a retryable BackendUnavailableError that names no value of `values`. */
async function expectUnavailable(work: Promise<unknown>, values: SecretValues = {}) {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BackendUnavailableError);
  expect((error as BackendUnavailableError).retryable).toBe(true);
  // Everything a caller, a log line or an HTTP error body could show.
  const text = JSON.stringify((error as BackendUnavailableError).toJSON());
  for (const value of Object.values(values)) expect(text).not.toContain(value);
}

/** The live AWS secrets under this service's deployment. */
async function liveSecretsOf(service: SecretsService): Promise<string[]> {
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await raw.send(
      new ListSecretsCommand({
        Filters: [{ Key: "name", Values: [`coffer-test/${service.deploymentId}/`] }],
        MaxResults: 100,
        NextToken,
      }),
    );
    names.push(...(page.SecretList ?? []).map((secret) => secret.Name!));
    NextToken = page.NextToken;
  } while (NextToken);
  return names;
}

/**
 * Nothing half-written: the listed secrets are exactly `expected`, each readable with exactly its
 * values and listed keys, Secrets Manager holds a live secret for each of them and no other, and
 * reconcile has nothing left to do.
 */
async function expectNothingHalfWritten(
  service: SecretsService,
  alice: SecretsSession,
  expected: Record<string, SecretValues>,
) {
  const listed = (await alice.list({ limit: 100 })).items;
  expect(listed.map((item) => item.name).sort()).toEqual(Object.keys(expected).sort());
  for (const item of listed) {
    const secret = await alice.get({ id: item.id });
    expect(secret.values).toEqual(expected[item.name]);
    expect([...item.keys].sort()).toEqual(Object.keys(secret.values).sort());
  }
  expect((await liveSecretsOf(service)).sort()).toEqual(
    listed.map((item) => `coffer-test/${service.deploymentId}/${item.id}`).sort(),
  );
  expect(await service.reconcile({ olderThanMs: 0 })).toEqual(NOTHING_TO_REPAIR);
}

describe.skipIf(externalEndpoint)("a service over the aws store through an outage", () => {
  it("fails get, create, update and delete as retryable BackendUnavailableError, keeps listing, recovers, and reconcile finishes the interrupted writes", async () => {
    const { service, alice, close } = await open();
    const kept = { user: "fake-user", password: "fake-password-1" };
    await alice.create({ name: "kept", values: kept });
    const changing = await alice.create({ name: "changing", values: { password: "fake-old" } });
    const doomed = await alice.create({ name: "doomed", values: { token: "not-a-real-token" } });

    await backend.emulator!.suspend();
    await expectUnavailable(alice.get({ name: "kept" }), kept);
    await expectUnavailable(
      alice.create({ name: "born-in-outage", values: { password: "fake-outage-pw" } }),
      { password: "fake-outage-pw" },
    );
    await expectUnavailable(alice.update({ name: "changing" }, { values: { password: "fake-new" } }), {
      password: "fake-new",
    });
    await expectUnavailable(alice.delete({ name: "doomed" }));

    // Metadata is local: listing and metadata reads go on. The update never reached the store
    // (its first store call, the read, failed) and was unlocked at once; the delete hides the
    // secret at once; the create is not visible.
    expect((await alice.list()).items.map((item) => item.name)).toEqual(["changing", "kept"]);
    expect((await alice.getMetadata({ name: "changing" })).version).toBe(1);
    expect((await service.health()).store).toMatchObject({
      status: "error",
      errorCode: "BACKEND_UNAVAILABLE",
    });
    // Reconcile while the store is still down repairs nothing and says why, per row.
    const early = await service.reconcile({ olderThanMs: 0 });
    expect(early.failed.map((each) => each.code)).toEqual(["BACKEND_UNAVAILABLE", "BACKEND_UNAVAILABLE"]);
    expect(early.failed.map((each) => each.id)).toContain(doomed.id);

    await backend.emulator!.resume();
    // The same service object works again, without being reopened.
    expect((await alice.get({ name: "kept" })).values).toEqual(kept);
    const report = await service.reconcile({ olderThanMs: 0 });
    // The create whose values never arrived is rolled back; the delete the caller asked for is
    // finished; the update needs nothing.
    expect(report).toEqual({
      ...NOTHING_TO_REPAIR,
      rolledBackCreates: [expect.any(String)],
      completedDeletes: [doomed.id],
    });
    await expectNothingHalfWritten(service, alice, { kept, changing: { password: "fake-old" } });

    // Nothing is stuck: the name is free again and the secret takes updates.
    await alice.create({ name: "born-in-outage", values: { password: "fake-outage-pw" } });
    await alice.update({ id: changing.id }, { values: { password: "fake-new" } });
    await expectNothingHalfWritten(service, alice, {
      kept,
      changing: { password: "fake-new" },
      "born-in-outage": { password: "fake-outage-pw" },
    });
    await close();
  });

  it("leaves an update cut off while writing to reconcile, which settles on what the store holds", async () => {
    let cut = false;
    const hooks: ServiceHooks = {
      async beforeStep(step) {
        // The outage starts after the row is locked and the current values are read, just as the
        // new values are sent; it lasts while the service tries to find out whether they landed.
        if (step === "update.store-values" && !cut) {
          cut = true;
          await backend.emulator!.suspend();
        }
      },
    };
    const { service, alice, close } = await open(hooks);
    const original = { user: "fake-user", password: "fake-old" };
    const { id } = await alice.create({ name: "db", values: original });
    await expectUnavailable(alice.update({ id }, { values: { password: "fake-new" } }), {
      password: "fake-new",
    });
    // Still listed, still at version 1, locked: a check-and-set writer is told to come back.
    expect((await alice.list()).items.map((item) => [item.name, item.version])).toEqual([["db", 1]]);

    await backend.emulator!.resume();
    const report = await service.reconcile({ olderThanMs: 0 });
    expect(report).toEqual({ ...NOTHING_TO_REPAIR, completedUpdates: [id] });
    const after = await alice.get({ id });
    expect(after.version).toBe(2);
    expect(after.values).toEqual(original);
    await expectNothingHalfWritten(service, alice, { db: original });
    await close();
  });

  it.each(["ThrottlingException", "ServiceUnavailable"] as const)(
    "%s is a retryable BackendUnavailableError through the service; a create it stopped leaves nothing to repair",
    async (kind) => {
      const { service, alice, close } = await open();
      const existing = { password: "fake-password-1" };
      await alice.create({ name: "existing", values: existing });

      backend.emulator!.failNext(1, kind);
      await expectUnavailable(alice.get({ name: "existing" }), existing);
      // CreateSecret is refused; the service's own compensation (a delete that finds nothing)
      // succeeds, so no row is left behind.
      backend.emulator!.failNext(1, kind);
      await expectUnavailable(alice.create({ name: "refused", values: { k: "fake-refused" } }), {
        k: "fake-refused",
      });
      backend.emulator!.failNext(1, kind);
      await expectUnavailable(alice.update({ name: "existing" }, { values: { password: "fake-new" } }));
      await expectNothingHalfWritten(service, alice, { existing });
      await close();
    },
  );
});

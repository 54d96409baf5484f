// A SecretsService over the aws store while Secrets Manager goes away: reads and writes fail as
// typed, retryable errors without leaking values, listing keeps working (metadata is local), the
// same service object recovers, and reconcile repairs exactly the writes an outage interrupted,
// leaving nothing half-written. Then a matrix: an outage starting just before or just after each
// Secrets Manager request of a create, an update and a delete, after which reconcile must leave
// nothing half-written, in Coffer or in Secrets Manager. Faults come from the emulator's hooks and
// a cutting proxy in front of it, so this needs the emulator.
import { ListSecretsCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { BackendUnavailableError, type SecretsSession, type SecretValues } from "@coffer/core";
import type { SecretsService, ServiceHooks } from "@coffer/service";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AwsBackend, externalEndpoint, rawClient, serviceOver, startBackend } from "./helpers.js";
import { type CutPoint, OutageProxy } from "./outage-proxy.js";

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
async function open(hooks?: ServiceHooks, endpoint = backend.endpoint) {
  const opened = await serviceOver(endpoint, { timeoutMs: 2_000 }, hooks ? { hooks } : {});
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
 * Nothing half-written: every listed secret reads back with exactly its listed keys and one of
 * the values it may have, Secrets Manager holds a live secret for each of them and no other, and
 * reconcile has nothing left to do.
 */
async function expectNothingHalfWritten(
  service: SecretsService,
  alice: SecretsSession,
  allowed: Record<string, SecretValues[]>,
) {
  const listed = (await alice.list({ limit: 100 })).items;
  for (const item of listed) {
    expect(Object.keys(allowed)).toContain(item.name);
    const secret = await alice.get({ id: item.id });
    expect(allowed[item.name]).toContainEqual(secret.values);
    expect([...item.keys].sort()).toEqual(Object.keys(secret.values).sort());
  }
  expect((await liveSecretsOf(service)).sort()).toEqual(
    listed.map((item) => `coffer-test/${service.deploymentId}/${item.id}`).sort(),
  );
  expect(await service.reconcile({ olderThanMs: 0 })).toEqual(NOTHING_TO_REPAIR);
  return listed;
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
    await expectNothingHalfWritten(service, alice, { kept: [kept], changing: [{ password: "fake-old" }] });

    // Nothing is stuck: the name is free again and the secret takes updates.
    await alice.create({ name: "born-in-outage", values: { password: "fake-outage-pw" } });
    await alice.update({ id: changing.id }, { values: { password: "fake-new" } });
    await expectNothingHalfWritten(service, alice, {
      kept: [kept],
      changing: [{ password: "fake-new" }],
      "born-in-outage": [{ password: "fake-outage-pw" }],
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
    await expectNothingHalfWritten(service, alice, { db: [original] });
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
      await expectNothingHalfWritten(service, alice, { existing: [existing] });
      await close();
    },
  );
});

describe.skipIf(externalEndpoint)("an outage starting at each Secrets Manager request of a write", () => {
  let proxy: OutageProxy;
  beforeAll(async () => {
    proxy = await OutageProxy.start(backend.endpoint);
  });
  afterAll(() => proxy?.stop());
  afterEach(() => proxy.restore());

  const original = { user: "fake-user", password: "fake-old" };
  const changed = { user: "fake-user", password: "fake-new" };
  const fresh = { token: "not-a-real-token" };
  const writes = {
    create: (alice: SecretsSession) => alice.create({ name: "fresh", values: fresh }),
    update: (alice: SecretsSession) => alice.update({ name: "db" }, { values: { password: "fake-new" } }),
    delete: (alice: SecretsSession) => alice.delete({ name: "db" }),
  };
  // What each secret may hold once reconcile has run: the write happened, or it did not.
  const outcomes = {
    create: { db: [original], fresh: [fresh] },
    update: { db: [original, changed] },
    delete: { db: [original] },
  };

  /** How many Secrets Manager requests a write makes when nothing goes wrong. */
  async function requestsOf(write: keyof typeof writes): Promise<number> {
    const { alice, close } = await open(undefined, proxy.url);
    await alice.create({ name: "db", values: original });
    const before = proxy.seen.length;
    await writes[write](alice);
    const count = proxy.seen.length - before;
    await close();
    return count;
  }

  const cases: Array<[keyof typeof writes, number, CutPoint]> = [];
  beforeAll(async () => {
    for (const write of Object.keys(writes) as Array<keyof typeof writes>) {
      const count = await requestsOf(write);
      expect(count).toBeGreaterThan(0);
      for (let index = 0; index < count; index++)
        cases.push([write, index, "before"], [write, index, "after"]);
    }
  });

  it("every cut of create, update and delete is repaired by reconcile, leaving nothing half-written", async () => {
    // create: CreateSecret; update: GetSecretValue, DescribeSecret, PutSecretValue; delete:
    // DescribeSecret, DeleteSecret; each cut before and after.
    expect(cases).toHaveLength(12);
    // Every case runs; the failures are reported together, each with its cut.
    const problems: string[] = [];
    for (const [write, index, point] of cases) {
      const label = `${write}, outage ${point} request ${index + 1}`;
      const { service, alice, close } = await open(undefined, proxy.url);
      try {
        await alice.create({ name: "db", values: original });
        let seen = 0;
        proxy.cutAt(point, () => seen++ === index);
        await expectUnavailable(writes[write](alice), fresh);
        expect(proxy.down).toBe(true);
        proxy.restore();
        await service.reconcile({ olderThanMs: 0 });
        const listed = await expectNothingHalfWritten(service, alice, outcomes[write]);
        if (write === "delete") expect(listed).toEqual([]);
      } catch (error) {
        problems.push(`${label}: ${(error as Error).message}`);
      } finally {
        proxy.restore();
        await close();
      }
    }
    expect(problems).toEqual([]);
  });
});

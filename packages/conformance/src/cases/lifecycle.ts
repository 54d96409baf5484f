/**
 * Lifecycle cases (C01–C06.1): init, health and close; invalid options refused as
 * InvalidConfigError; against an unreachable backend, construction does not throw, health()
 * reports the error and init() fails with a typed one; and no I/O before init().
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  BackendAccessDeniedError,
  BackendUnavailableError,
  InvalidConfigError,
  instantiateStore,
  type SecretsStore,
  silentLogger,
} from "@coffer/core";
import { assert, rejectsWith, rejectsWithOneOf } from "../assertions.js";
import type { ConformanceCase } from "../types.js";

/** How long I/O started too early is given to reach the traffic counter. */
const IO_GRACE_MS = 50;

const noUnreachable = (options: { unreachable?: unknown }) =>
  options.unreachable
    ? undefined
    : "no `unreachable` store was given (the store has no address to get wrong)";

export const lifecycleCases: ConformanceCase[] = [
  {
    id: "C01",
    title: "init with valid options succeeds",
    group: "lifecycle",
    async run({ options }) {
      const store = await options.create();
      try {
        await store.init();
      } finally {
        await store.close();
      }
    },
  },
  {
    id: "C02",
    title: "health() reports ready, with a latency, and never throws",
    group: "lifecycle",
    async run({ store }) {
      const report = await store.health();
      assert.equal(report.status, "ready", `health() said ${report.status}: ${report.message ?? ""}`);
      assert.ok(Number.isFinite(report.latencyMs) && report.latencyMs >= 0, "latencyMs must be a number ≥ 0");
    },
  },
  {
    id: "C03",
    title: "close() resolves, and a second close() is fine",
    group: "lifecycle",
    async run({ options }) {
      const store = await options.create();
      await store.init();
      await store.close();
      await store.close();
    },
  },
  {
    id: "C04",
    title:
      "invalid options are rejected with InvalidConfigError (and, counted by backendTraffic when given, reach nothing)",
    group: "lifecycle",
    notApplicable: (options) =>
      options.registration && options.invalidOptions?.length
        ? undefined
        : "no registration and invalid options were given",
    async run({ options }) {
      const context = {
        deploymentId: "conformance",
        dataDir: "/nonexistent",
        databaseUrl: "",
        logger: silentLogger,
      };
      // With a traffic counter, "before anything connects" is checked, not only claimed (it
      // proves most when some invalid options point at the counted address).
      const trafficBefore = options.backendTraffic?.();
      for (const invalid of options.invalidOptions!) {
        let store: SecretsStore | undefined;
        await rejectsWith(
          (async () => {
            store = instantiateStore(options.registration!, invalid, context);
            await store.init();
          })(),
          InvalidConfigError,
          `options ${JSON.stringify(invalid)}`,
        );
        await store?.close();
      }
      if (trafficBefore !== undefined) {
        await sleep(IO_GRACE_MS);
        const traffic = options.backendTraffic!() - trafficBefore;
        assert.equal(traffic, 0, `stores with invalid options reached the backend (traffic +${traffic})`);
      }
    },
  },
  {
    id: "C05",
    title: "health() on an unreachable backend reports an error with a typed code, without throwing",
    group: "lifecycle",
    notApplicable: noUnreachable,
    async run({ options }) {
      const store = await options.unreachable!();
      try {
        const report = await store.health();
        assert.equal(report.status, "error");
        assert.ok(
          report.errorCode === "BACKEND_UNAVAILABLE" || report.errorCode === "ACCESS_DENIED",
          `errorCode must be BACKEND_UNAVAILABLE or ACCESS_DENIED, got ${report.errorCode}`,
        );
      } finally {
        await store.close();
      }
    },
  },
  {
    id: "C06",
    title:
      "constructing against an unreachable address does not throw; init() then fails with a typed error (C06.1 counts the I/O)",
    group: "lifecycle",
    notApplicable: noUnreachable,
    async run({ options }) {
      // Constructing must not throw: connecting is init()'s job.
      const store = await options.unreachable!();
      try {
        await rejectsWithOneOf(
          store.init(),
          [BackendUnavailableError, BackendAccessDeniedError],
          "init() against an unreachable address",
        );
      } finally {
        await store.close();
      }
    },
  },
  {
    id: "C06.1",
    title: "constructing a store does no I/O (counted by backendTraffic): the first traffic is init()'s",
    group: "lifecycle",
    notApplicable: (options) =>
      options.backendTraffic
        ? undefined
        : "no backendTraffic hook was given (the store has no sockets to watch)",
    async run({ options }) {
      const traffic = options.backendTraffic!;
      const before = traffic();
      const store = await options.create();
      try {
        await sleep(IO_GRACE_MS);
        const early = traffic() - before;
        assert.equal(
          early,
          0,
          `constructing the store reached the backend before init() (traffic +${early})`,
        );
        await store.init();
        assert.ok(
          traffic() > before,
          "init() made no traffic that backendTraffic saw: the counter does not watch this store's backend",
        );
      } finally {
        await store.close();
      }
    },
  },
];

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

/** How long a connection started too early is given to reach the counter. */
const CONNECT_GRACE_MS = 50;

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
    title: "invalid options are rejected with InvalidConfigError before anything connects",
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
      // With a connection counter, "before anything connects" is checked, not only claimed (it
      // proves most when some invalid options point at the counted address).
      const connectionsBefore = options.connectionCount?.();
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
      if (connectionsBefore !== undefined) {
        await sleep(CONNECT_GRACE_MS);
        const opened = options.connectionCount!() - connectionsBefore;
        assert.equal(opened, 0, `stores with invalid options opened ${opened} connection(s)`);
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
    title: "constructing against an unreachable address does no I/O; init() then fails with a typed error",
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
    title:
      "constructing a store opens no connection (counted by connectionCount); the first connection is init()'s",
    group: "lifecycle",
    notApplicable: (options) =>
      options.connectionCount
        ? undefined
        : "no connectionCount hook was given (the store has no sockets to count)",
    async run({ options }) {
      const count = options.connectionCount!;
      const before = count();
      const store = await options.create();
      try {
        await sleep(CONNECT_GRACE_MS);
        const early = count() - before;
        assert.equal(early, 0, `constructing the store opened ${early} connection(s) before init()`);
        await store.init();
        assert.ok(
          count() > before,
          "init() opened no connection that connectionCount saw: the counter does not watch this store's backend",
        );
      } finally {
        await store.close();
      }
    },
  },
];

// A PostgreSQL or MySQL metadata database that restarts under load, or freezes (`docker pause`),
// must cost callers typed BackendUnavailableErrors — never the process (an unhandled 'error' on a
// checked-out connection used to crash it) and never a request that hangs until its client gives
// up (there were no timeouts). Real containers, restarted and frozen with the docker CLI.
import { setTimeout as sleep } from "node:timers/promises";
import { BackendUnavailableError } from "@coffer/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControllableDatabase, startControllableDatabase } from "./docker-database.js";
import { memoryService, tempDir } from "./helpers.js";

const alice = { id: "alice" };
const TIMEOUTS = "connectTimeoutMs=2000&queryTimeoutMs=2000&lockTimeoutMs=2000";
const SECRETS = 10;

describe.each(["postgres", "mysql"] as const)("%s going away", (kind) => {
  let db: ControllableDatabase;
  const dataDir = tempDir(); // one deployment: one metadata keyring for every service opened here

  beforeAll(async () => {
    db = await startControllableDatabase(kind);
  });
  afterAll(async () => {
    await db?.stop();
  });

  // Each test has its own metadata tables' worth of names: the memory store starts empty each time.
  let prefix = "";
  async function openService() {
    const { service } = await memoryService(
      `${db.url}?poolSize=8&${TIMEOUTS}`,
      {},
      { leaseMs: 2000, dataDir },
    );
    prefix = `${kind}-${Math.random().toString(36).slice(2, 8)}`;
    for (let i = 0; i < SECRETS; i++) await service.put(alice, `${prefix}-s${i}`, { k: "fake-value" });
    return service;
  }

  it("a restart under concurrent reads and writes costs typed errors only; the process survives and recovers", async () => {
    const service = await openService();
    const errors: unknown[] = [];
    let succeeded = 0;
    let stop = false;
    const worker = async (n: number) => {
      while (!stop) {
        const name = `${prefix}-s${n % SECRETS}`;
        try {
          if (n % 4 === 0) await service.put(alice, name, { k: `fake-${n}-${succeeded}` });
          else await service.get(alice, { name });
          succeeded++;
        } catch (error) {
          errors.push(error);
          await sleep(25);
        }
      }
    };
    const workers = Array.from({ length: 24 }, (_, n) => worker(n));
    try {
      // Serving before the restart: wait for successes rather than a fixed time, which a loaded
      // machine (the full suite on two cores) can spend before the first call completes.
      const warmDeadline = Date.now() + 30_000;
      while (succeeded < 20 && Date.now() < warmDeadline) await sleep(50);
      const before = succeeded;
      await db.restart();
      // Back to normal: reads succeed again once the database is up (within a bound).
      const deadline = Date.now() + 30_000;
      const after = succeeded;
      while (succeeded < after + 50 && Date.now() < deadline) await sleep(100);
      expect(before).toBeGreaterThan(0);
      expect(succeeded).toBeGreaterThanOrEqual(after + 50);
    } finally {
      stop = true;
      await Promise.all(workers);
    }
    expect(errors.length).toBeGreaterThan(0); // the restart was felt…
    const untyped = errors.filter((error) => !(error instanceof BackendUnavailableError));
    expect(untyped.map((error) => String(error))).toEqual([]); // …only as typed 503s
    console.info(`${kind} restart: ${succeeded} calls succeeded, ${errors.length} BackendUnavailableError`);
    await service.close();
  }, 120_000);

  it("a frozen database fails requests and the readiness check within the timeouts, then recovers", async () => {
    const service = await openService();
    await service.get(alice, { name: `${prefix}-s0` });
    await db.pause();
    let elapsed: number;
    let results: PromiseSettledResult<unknown>[];
    let health: Awaited<ReturnType<typeof service.health>>;
    let healthMs: number;
    try {
      const started = performance.now();
      // More requests than pooled connections: some wait for a connection, which is bounded too.
      results = await Promise.allSettled(
        Array.from({ length: 12 }, (_, n) => service.get(alice, { name: `${prefix}-s${n % SECRETS}` })),
      );
      elapsed = performance.now() - started;
      const healthStarted = performance.now();
      health = await service.health();
      healthMs = performance.now() - healthStarted;
    } finally {
      await db.unpause();
    }
    for (const result of results) {
      expect(result.status).toBe("rejected");
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(BackendUnavailableError);
    }
    // At most a query timeout plus a connect timeout (+1 s client grace), not the 20 s of a freeze.
    expect(elapsed).toBeLessThan(7_000);
    expect(health.status).toBe("error");
    expect(healthMs).toBeLessThan(7_000);
    console.info(
      `${kind} frozen: 12 requests failed typed in ${Math.round(elapsed)} ms, health in ${Math.round(healthMs)} ms`,
    );
    // Thawed: served again (the connections that timed out were replaced).
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        await service.get(alice, { name: `${prefix}-s1` });
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(200);
      }
    }
    await service.close();
  }, 120_000);
});

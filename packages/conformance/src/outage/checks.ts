/** What the outage cases assert again and again, with `node:assert` like the other suites. */
import { setTimeout as sleep } from "node:timers/promises";
import {
  BackendUnavailableError,
  type SecretId,
  type SecretsSession,
  type SecretsStore,
  type SecretValues,
} from "@coffer/core";
import { assert } from "../assertions.js";
import type { RepairReport, ServiceInOutage, StepHooks } from "./types.js";

export const NOTHING_TO_REPAIR: RepairReport = {
  completedCreates: [],
  rolledBackCreates: [],
  completedUpdates: [],
  completedDeletes: [],
  failed: [],
};

/** A report with nothing but `repaired` in it. */
export function repaired(repairs: Partial<RepairReport>): RepairReport {
  return { ...NOTHING_TO_REPAIR, ...repairs };
}

/**
 * `work` rejects with a retryable BackendUnavailableError, and nothing a caller, a log line or an
 * HTTP error body could show of it names a value of `values`.
 */
export async function rejectsUnavailable(
  work: Promise<unknown>,
  what: string,
  values: SecretValues = {},
): Promise<void> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  assert.ok(
    error instanceof BackendUnavailableError,
    `${what}: expected BackendUnavailableError, got ${error === undefined ? "success" : String(error)}`,
  );
  assert.equal(error.retryable, true, `${what}: the error must be retryable`);
  const text = JSON.stringify(error.toJSON());
  for (const value of Object.values(values)) {
    assert.ok(!text.includes(value), `${what}: the error shows a secret value`);
  }
}

/** Waits until the store answers again (a client may reconnect with a backoff): ≤ 100 × 50 ms. */
export async function untilReady(store: SecretsStore): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const report = await store.health();
    if (report.status === "ready") return;
    if (attempt >= 100) throw new Error(`the store did not come back: ${report.message ?? report.status}`);
    await sleep(50);
  }
}

/**
 * Hooks that remember every secret id the service wrote (so the backend can be checked for
 * leftovers) and run `atStep` before each step.
 */
export function recordingHooks(atStep?: (step: string, id: SecretId) => void | Promise<void>) {
  const ids = new Set<SecretId>();
  const byStep = new Map<string, SecretId[]>();
  const hooks: StepHooks = {
    async beforeStep(step, id) {
      ids.add(id);
      byStep.set(step, [...(byStep.get(step) ?? []), id]);
      await atStep?.(step, id);
    },
  };
  return { hooks, ids, idsAt: (step: string) => byStep.get(step) ?? [] };
}

/**
 * Nothing half-written: the service lists exactly the names of `expected` (those in `mayBeAbsent`
 * may be missing), each reads back with one of the values allowed for it and with its listed keys,
 * the backend holds something for exactly the listed secrets and for none of `known`, and
 * reconcile has nothing left to do. Returns what is listed.
 */
export async function expectConsistent(
  target: ServiceInOutage,
  session: SecretsSession,
  known: Iterable<SecretId>,
  expected: Record<string, SecretValues[]>,
  mayBeAbsent: string[] = [],
) {
  const listed = (await session.list({ limit: 100 })).items;
  const names = listed.map((item) => item.name).sort();
  const required = Object.keys(expected).filter(
    (name) => !mayBeAbsent.includes(name) || names.includes(name),
  );
  assert.deepEqual(names, required.sort(), "the secrets listed");
  for (const item of listed) {
    const secret = await session.get({ id: item.id });
    assert.ok(
      expected[item.name]!.some((allowed) => sameMap(allowed, secret.values)),
      `${item.name} holds values it was never given`,
    );
    assert.deepEqual([...item.keys].sort(), Object.keys(secret.values).sort(), `${item.name}'s listed keys`);
  }
  const ids = listed.map((item) => item.id);
  const held = await target.held([...new Set([...known, ...ids])]);
  assert.deepEqual([...held].sort(), [...ids].sort(), "the secrets the backend holds");
  assert.deepEqual(
    await target.service.reconcile({ olderThanMs: 0 }),
    NOTHING_TO_REPAIR,
    "a second reconcile",
  );
  return listed;
}

function sameMap(a: SecretValues, b: SecretValues): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/**
 * Assertions for the cases. The suite uses node:assert rather than a test runner's `expect`, so
 * it can run inside any runner and programmatically (the meta-test runs it on broken stores).
 */
import assert from "node:assert/strict";
import {
  type CofferError,
  isCofferError,
  type SecretId,
  type SecretValues,
  serializedSize,
} from "@coffer/core";

type ErrorClass = abstract new (...args: never[]) => CofferError;

/** Awaits `promise` and checks that it rejects with an instance of `expected`. */
export async function rejectsWith<E extends CofferError>(
  promise: Promise<unknown>,
  expected: ErrorClass,
  what: string,
): Promise<E> {
  return rejectsWithOneOf<E>(promise, [expected], what);
}

/** Like rejectsWith, accepting any of several error classes. */
export async function rejectsWithOneOf<E extends CofferError>(
  promise: Promise<unknown>,
  expected: ErrorClass[],
  what: string,
): Promise<E> {
  let outcome: unknown;
  try {
    await promise;
  } catch (error) {
    outcome = error;
    if (expected.some((each) => error instanceof each)) return error as E;
  }
  const got =
    outcome === undefined
      ? "it succeeded"
      : isCofferError(outcome)
        ? `it threw ${outcome.name} (${outcome.code})`
        : `it threw ${(outcome as Error)?.name ?? typeof outcome}: ${(outcome as Error)?.message ?? String(outcome)}`;
  assert.fail(`${what} must throw ${expected.map((each) => each.name).join(" or ")}, but ${got}.`);
}

/** Values must come back exactly: same keys, same strings, nothing added. */
export function sameValues(actual: SecretValues, expected: SecretValues, what: string): void {
  assert.deepEqual({ ...actual }, { ...expected }, `${what}: the values did not round-trip exactly`);
}

/** Values of exactly `bytes` bytes when JSON-encoded. */
export function valuesOfSize(bytes: number): SecretValues {
  const padding = bytes - serializedSize({ data: "" });
  if (padding < 0) throw new Error(`cannot build a secret of only ${bytes} bytes`);
  const values = { data: "x".repeat(padding) };
  assert.equal(serializedSize(values), bytes);
  return values;
}

/** A value that must never show up in an error: unique per call, easy to search for. */
export function marker(): string {
  return `fake-marker-${Math.random().toString(36).slice(2, 12)}`;
}

export function assertNoValueIn(error: unknown, value: string, what: string): void {
  const text = describeError(error);
  assert.ok(!text.includes(value), `${what}: the error carries the secret value (${text.slice(0, 200)}…)`);
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const parts = [error.message, error.stack ?? ""];
  if (isCofferError(error))
    parts.push(error.hint ?? "", JSON.stringify(error.details), JSON.stringify(error.toJSON()));
  return parts.join("\n");
}

export function orderOf(map: Map<SecretId, unknown>): SecretId[] {
  return [...map.keys()];
}

export { assert };

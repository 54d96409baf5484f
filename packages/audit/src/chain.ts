/**
 * The chain: each record's hash covers its canonical form, which includes the previous record's
 * hash, so changing, removing, inserting or reordering any record breaks every link after it.
 * A hash chain alone can be rebuilt by whoever can write the log, so every so often a checkpoint
 * record also carries a MAC of its hash under the audit key, which the log's writer does not hold
 * unless they hold the keyring: a rebuilt chain no longer matches the last checkpoint.
 *
 * The audit key is derived (HKDF-SHA256, its own label) from the metadata keyring's key, so the
 * metadata seal's key is never used for a second purpose, and the audit key rotates with it.
 */
import { createHash, createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { AuditRecord } from "./record.js";

/** The keys a checkpoint MAC may be made or checked with: `key(id)` and the active one. */
export interface KeySource {
  activeKey(): { id: string; key: Buffer };
  key(id: string): Buffer | undefined;
}

const AUDIT_KEY_LABEL = "coffer/audit/checkpoint/v1";

const derived = new WeakMap<Buffer, Buffer>();

/** The audit key derived from a keyring key (never the keyring key itself); derived once per key. */
export function auditKey(keyringKey: Buffer): Buffer {
  let key = derived.get(keyringKey);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", keyringKey, Buffer.alloc(0), AUDIT_KEY_LABEL, 32));
    derived.set(keyringKey, key);
  }
  return key;
}

/**
 * JSON with keys sorted and undefined members dropped, so the same record always gives the same
 * bytes whatever order its fields were set in and whichever sink it was read back from.
 */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonical(member)}`).join(",")}}`;
}

/** The hash of a record: over everything but its own `hash` and `mac`. */
export function recordHash(
  record: Omit<AuditRecord, "hash" | "mac"> & { hash?: string; mac?: string },
): string {
  const { hash: _hash, mac: _mac, ...covered } = record;
  return createHash("sha256").update(canonical(covered)).digest("base64url");
}

export function checkpointMac(keys: KeySource, record: Pick<AuditRecord, "seq" | "hash">): string {
  const { id, key } = keys.activeKey();
  return `${id}.${macWith(auditKey(key), record)}`;
}

/** Why a checkpoint's MAC does not hold, or undefined when it does. */
export function checkpointProblem(keys: KeySource, record: AuditRecord): string | undefined {
  if (!record.mac) return "it carries no checkpoint MAC";
  const dot = record.mac.lastIndexOf(".");
  const id = record.mac.slice(0, dot);
  const key = dot > 0 ? keys.key(id) : undefined;
  if (!key) return `its checkpoint MAC is made with key '${id.slice(0, 64)}', which is not in the keyring`;
  const given = Buffer.from(record.mac.slice(dot + 1), "base64url");
  const expected = Buffer.from(macWith(auditKey(key), record), "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return "its checkpoint MAC does not match (the chain up to it was rewritten)";
  }
  return undefined;
}

function macWith(key: Buffer, record: Pick<AuditRecord, "seq" | "hash">): string {
  return createHmac("sha256", key)
    .update(canonical([AUDIT_KEY_LABEL, record.seq, record.hash]))
    .digest("base64url");
}

/**
 * What `coffer diff` compares: a snapshot source yields every secret's name, owner, visibility,
 * version and, per key, a keyed hash of the value (value-fingerprint.ts) — never the value. A live
 * deployment is one source (serviceSnapshot below); a backup file is another (the CLI's). Two
 * sources hashed with the same fingerprinter can be compared; the key is made per run.
 */
import type { SecretsStore } from "@coffer/core";
import { LIVE_STATES, type MetadataRepository } from "./metadata.js";
import type { ValueFingerprinter } from "./value-fingerprint.js";

export interface SnapshotEntry {
  name: string;
  owner: string;
  private: boolean;
  version: number;
  /** Key name → keyed hash of its value. */
  keys: Record<string, string>;
}

export interface SnapshotSource {
  /** What this is, for the report (a database location, a file name): no credentials. */
  readonly label: string;
  entries(hash: ValueFingerprinter): AsyncIterable<SnapshotEntry>;
}

/** Every live secret of a deployment, in id order, `batchSize` at a time. */
export function serviceSnapshot(
  label: string,
  metadata: MetadataRepository,
  store: SecretsStore,
  batchSize = 100,
): SnapshotSource {
  return {
    label,
    async *entries(hash) {
      let after = "";
      for (;;) {
        const rows = await metadata.run((db) =>
          db
            .selectFrom("coffer_secrets")
            .select(["id", "name", "owner", "private", "version"])
            .where("id", ">", after)
            .where("state", "in", LIVE_STATES)
            .orderBy("id")
            .limit(batchSize)
            .execute(),
        );
        if (rows.length === 0) return;
        after = rows.at(-1)!.id;
        const values = await store.getMany(rows.map((row) => row.id));
        for (const row of rows) {
          yield {
            name: row.name,
            owner: row.owner,
            private: Number(row.private) === 1,
            version: Number(row.version),
            // A secret the store lost shows with no keys: a difference, not a crash.
            keys: hash.perKey(values.get(row.id) ?? {}),
          };
        }
      }
    },
  };
}

export interface SecretChange {
  name: string;
  /** The private secret's owner; absent for public secrets. */
  owner?: string;
  version?: { from: number; to: number };
  keysAdded: string[];
  keysRemoved: string[];
  /** Keys whose values differ (by keyed hash). */
  keysChanged: string[];
}

export interface SecretDiff {
  a: string;
  b: string;
  equal: boolean;
  counts: { a: number; b: number; added: number; removed: number; changed: number; same: number };
  /** In B, not in A. */
  added: Array<{ name: string; owner?: string; version: number; keys: string[] }>;
  /** In A, not in B. */
  removed: Array<{ name: string; owner?: string; version: number; keys: string[] }>;
  changed: SecretChange[];
}

/** Compares two sources by (visibility scope, name): public names share one space, private ones are per owner. */
export async function diffSnapshots(
  a: SnapshotSource,
  b: SnapshotSource,
  hash: ValueFingerprinter,
): Promise<SecretDiff> {
  const left = await collect(a, hash);
  const right = await collect(b, hash);
  const diff: SecretDiff = {
    a: a.label,
    b: b.label,
    equal: true,
    counts: { a: left.size, b: right.size, added: 0, removed: 0, changed: 0, same: 0 },
    added: [],
    removed: [],
    changed: [],
  };
  for (const [identity, entry] of right) {
    if (!left.has(identity)) diff.added.push(summary(entry));
  }
  for (const [identity, before] of left) {
    const after = right.get(identity);
    if (!after) {
      diff.removed.push(summary(before));
      continue;
    }
    const change = compare(before, after);
    if (change) diff.changed.push(change);
    else diff.counts.same++;
  }
  const order = (x: { name: string; owner?: string }, y: { name: string; owner?: string }) =>
    x.name.localeCompare(y.name) || (x.owner ?? "").localeCompare(y.owner ?? "");
  diff.added.sort(order);
  diff.removed.sort(order);
  diff.changed.sort(order);
  diff.counts.added = diff.added.length;
  diff.counts.removed = diff.removed.length;
  diff.counts.changed = diff.changed.length;
  diff.equal = diff.added.length + diff.removed.length + diff.changed.length === 0;
  return diff;
}

async function collect(
  source: SnapshotSource,
  hash: ValueFingerprinter,
): Promise<Map<string, SnapshotEntry>> {
  const entries = new Map<string, SnapshotEntry>();
  for await (const entry of source.entries(hash)) entries.set(identityOf(entry), entry);
  return entries;
}

function identityOf(entry: SnapshotEntry): string {
  return JSON.stringify([entry.private ? entry.owner : "", entry.name]);
}

function summary(entry: SnapshotEntry) {
  return {
    name: entry.name,
    ...(entry.private ? { owner: entry.owner } : {}),
    version: entry.version,
    keys: Object.keys(entry.keys).sort(),
  };
}

function compare(a: SnapshotEntry, b: SnapshotEntry): SecretChange | undefined {
  const keysAdded = Object.keys(b.keys)
    .filter((key) => !Object.hasOwn(a.keys, key))
    .sort();
  const keysRemoved = Object.keys(a.keys)
    .filter((key) => !Object.hasOwn(b.keys, key))
    .sort();
  const keysChanged = Object.keys(a.keys)
    .filter((key) => Object.hasOwn(b.keys, key) && a.keys[key] !== b.keys[key])
    .sort();
  const versionDiffers = a.version !== b.version;
  if (!versionDiffers && keysAdded.length + keysRemoved.length + keysChanged.length === 0) return undefined;
  return {
    name: a.name,
    ...(a.private ? { owner: a.owner } : {}),
    ...(versionDiffers ? { version: { from: a.version, to: b.version } } : {}),
    keysAdded,
    keysRemoved,
    keysChanged,
  };
}

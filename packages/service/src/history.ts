/**
 * Version history: recording each version as it is written (HistoryRecorder, called by the write
 * protocol), listing a secret's versions, reading an old version's values and rolling back to one
 * (SecretHistoryReader). The metadata database keeps every version's who/when/what and per-key
 * digests (value-digests.ts); the store keeps the values of its newest revisions (capability
 * `versions`, retention `maxVersions`). Each version records which store revision holds its values.
 *
 * Privacy: an old version is as private as the secret was when it was written. Someone who may
 * see the secret now but not then (it was private, it is public now) does not see that version in
 * the history, and reading it is the same SecretNotFoundError as for a version that never existed.
 */
import {
  type Actor,
  IntegrityError,
  isCofferError,
  NotSupportedError,
  Secret,
  type SecretHistory,
  SecretNotFoundError,
  type SecretRef,
  type SecretsStore,
  type SecretValues,
  type SecretVersion,
  ValidationError,
} from "@coffer/core";
import type { HistoryRepository } from "./history-repository.js";
import { findSecretToRead, readValues } from "./lookup.js";
import type { MetadataRepository } from "./metadata.js";
import { rowToMetadata } from "./metadata.js";
import type { SecretRow, VersionRow } from "./schema.js";
import { compareDigests, parseDigests, type ValueDigester, type ValueDigests } from "./value-digests.js";

/** What kind of write made a version, as the writer tells the recorder. */
export type VersionAction = SecretVersion["action"];

export interface VersionNote {
  action: "update" | "rollback";
  rolledBackTo?: number;
}

/** Digests of a secret whose values were written before history existed: nothing to compare. */
const UNKNOWN_DIGESTS: ValueDigests = { keyId: "", keys: {} };

/**
 * Records versions as the write protocol commits them. A failure to record is logged, not thrown:
 * the write itself has happened, and history then shows a gap at that version.
 */
export class HistoryRecorder {
  constructor(
    private readonly history: HistoryRepository,
    private readonly digester: ValueDigester,
    private readonly store: SecretsStore,
    private readonly warn: (message: string, fields: Record<string, unknown>) => void,
  ) {}

  /** Version 1, as created; the store holds it as revision 1. */
  async created(actor: Actor, row: SecretRow, values: SecretValues, now: number): Promise<void> {
    await this.#record(row.id, () => ({
      ...base(row, actor, now),
      action: "create",
      digests: JSON.stringify(this.digester.digest(row.id, values)),
      store_revision: 1,
      rolled_back_to: null,
    }));
  }

  /**
   * A version with new values, after the store wrote them. `storeRevision`: the revision the
   * write protocol already asked for (revisionAfterWrite) before it committed; else asked here.
   */
  async valuesChanged(
    actor: Actor,
    row: SecretRow,
    values: SecretValues,
    note: VersionNote,
    now: number,
    storeRevision?: number | null,
  ): Promise<void> {
    await this.#record(row.id, async () => ({
      ...base(row, actor, now),
      action: note.action,
      digests: JSON.stringify(this.digester.digest(row.id, values)),
      store_revision:
        storeRevision !== undefined
          ? storeRevision
          : await this.revisionAfterWrite(row.id, Number(row.version) - 1),
      rolled_back_to: note.rolledBackTo ?? null,
    }));
  }

  /** A rename or visibility change: the values (and their store revision) stay as they were. */
  async metadataChanged(actor: Actor, row: SecretRow, action: "rename" | "visibility", now: number) {
    await this.#record(row.id, async () => {
      const previous = await this.history.find(row.id, Number(row.version) - 1);
      return {
        ...base(row, actor, now),
        action,
        digests: previous?.digests ?? JSON.stringify(UNKNOWN_DIGESTS),
        store_revision: previous?.store_revision ?? null,
        rolled_back_to: null,
      };
    });
  }

  async removed(secretId: string): Promise<void> {
    try {
      await this.history.removeAll(secretId);
    } catch (error) {
      this.warn("could not remove a deleted secret's history", { secretId, error: describe(error) });
    }
  }

  /**
   * Which store revision now holds the values: the store says, when it counts revisions; else
   * the previous version's plus one (the contract's count), or unknown.
   */
  async revisionAfterWrite(secretId: string, previousVersion: number): Promise<number | null> {
    const { versions, cas } = this.store.capabilities();
    if (versions || cas) return this.store.currentRevision(secretId);
    const previous = await this.history.find(secretId, previousVersion);
    return previous?.store_revision == null ? null : Number(previous.store_revision) + 1;
  }

  async #record(secretId: string, build: () => Omit<VersionRow, "mac"> | Promise<Omit<VersionRow, "mac">>) {
    try {
      await this.history.record(await build());
    } catch (error) {
      this.warn("could not record a version in the history", { secretId, error: describe(error) });
    }
  }
}

function base(row: SecretRow, actor: Actor, now: number) {
  return {
    secret_id: row.id,
    version: Number(row.version),
    created_at: now,
    created_by: actor.id,
    name: row.name,
    private: Number(row.private),
    keys: row.keys,
  };
}

function describe(error: unknown): string {
  return isCofferError(error) ? error.message : "unexpected error";
}

/** Lists versions and reads old values, for the facade (service.ts). */
export class SecretHistoryReader {
  constructor(
    private readonly metadata: MetadataRepository,
    private readonly history: HistoryRepository,
    private readonly digester: ValueDigester,
    private readonly store: SecretsStore,
  ) {}

  /** The versions `actor` may see, newest first, with what changed at each. Never values. */
  async list(actor: Actor, ref: SecretRef): Promise<SecretHistory> {
    const row = await findSecretToRead(this.metadata, actor, ref);
    const rows = await this.history.list(row.id);
    const versions = rows
      .map((entry, index) => toVersion(entry, rows[index + 1]))
      .filter((_, index) => visibleTo(actor, row, rows[index]!));
    return { id: row.id, version: Number(row.version), versions };
  }

  /** The secret as it was at `version` (the current one when undefined). */
  async read(actor: Actor, ref: SecretRef, version: number | undefined): Promise<Secret> {
    const row = await findSecretToRead(this.metadata, actor, ref);
    if (version === undefined || version === Number(row.version)) {
      return new Secret(rowToMetadata(row), await readValues(this.metadata, this.store, actor, row));
    }
    const wanted = parseVersion(version);
    const entry = wanted < Number(row.version) ? await this.history.find(row.id, wanted) : undefined;
    if (!entry || !visibleTo(actor, row, entry)) throw noVersion(row, wanted);
    const values = await this.#valuesOf(actor, row, entry);
    const metadata = rowToMetadata(row);
    return new Secret(
      { ...metadata, version: wanted, updatedAt: new Date(Number(entry.created_at)) },
      values,
    );
  }

  async #valuesOf(actor: Actor, row: SecretRow, entry: VersionRow): Promise<SecretValues> {
    const current = await this.history.find(row.id, Number(row.version));
    const revision = entry.store_revision === null ? undefined : Number(entry.store_revision);
    let values: SecretValues;
    if (
      revision !== undefined &&
      current?.store_revision != null &&
      Number(current.store_revision) === revision
    ) {
      // Only the name or visibility changed since: the current values are that version's.
      values = await readValues(this.metadata, this.store, actor, row);
    } else {
      if (!this.store.capabilities().versions)
        throw versionsNotSupported(row, Number(entry.version), this.store.type);
      if (revision === undefined) throw valuesNotKept(row, Number(entry.version));
      try {
        values = await this.store.getRevision(row.id, revision);
      } catch (error) {
        if (error instanceof SecretNotFoundError) throw valuesNotKept(row, Number(entry.version));
        throw error;
      }
    }
    const digests = parseDigests(entry.digests);
    if (digests.keyId !== "" && !this.digester.matches(row.id, values, digests)) {
      throw new IntegrityError(
        `The values the '${this.store.type}' store returned for version ${Number(entry.version)} of '${row.name}' are not the values written at that version.`,
        {
          hint: "The store's revisions and the metadata disagree (a restore of one without the other, or a change outside Coffer).",
          details: { id: row.id, version: Number(entry.version) },
        },
      );
    }
    return values;
  }
}

/** A version was written while the secret was private: only the owner sees it. */
function visibleTo(actor: Actor, row: SecretRow, entry: VersionRow): boolean {
  return Number(entry.private) === 0 || actor.id === row.owner;
}

function toVersion(entry: VersionRow, previous: VersionRow | undefined): SecretVersion {
  const action = entry.action as SecretVersion["action"];
  const sameValues = action === "rename" || action === "visibility";
  const changes = sameValues
    ? { added: [], removed: [], changed: [] }
    : compareDigests(previous && parseDigests(previous.digests), parseDigests(entry.digests));
  const version: SecretVersion = {
    version: Number(entry.version),
    created: new Date(Number(entry.created_at)),
    createdBy: entry.created_by,
    action,
    name: entry.name,
    private: Number(entry.private) === 1,
    keys: JSON.parse(entry.keys) as string[],
    changes,
  };
  if (previous && previous.name !== entry.name) changes.renamedFrom = previous.name;
  if (previous && Number(previous.private) !== Number(entry.private)) changes.private = version.private;
  if (entry.rolled_back_to !== null) version.rolledBackTo = Number(entry.rolled_back_to);
  return version;
}

export function parseVersion(value: unknown): number {
  if (
    typeof value === "number" &&
    Number.isInteger(value) &&
    value >= 1 &&
    value <= Number.MAX_SAFE_INTEGER
  ) {
    return value;
  }
  throw new ValidationError(`A version must be a whole number ≥ 1, not ${JSON.stringify(value)}.`, {
    hint: "`coffer secret history NAME` lists the versions.",
    details: { field: "version" },
  });
}

/** Also what a version hidden from the caller says: the same error as one that never existed. */
function noVersion(row: SecretRow, version: number): SecretNotFoundError {
  return new SecretNotFoundError(`The secret '${row.name}' has no version ${version}.`, {
    hint: "`coffer secret history NAME` lists its versions.",
    details: { id: row.id, version },
  });
}

function valuesNotKept(row: SecretRow, version: number): SecretNotFoundError {
  return new SecretNotFoundError(`The values of version ${version} of '${row.name}' are no longer kept.`, {
    hint: "The store keeps the newest versions only (its option maxVersions); the history still lists this one.",
    details: { id: row.id, version },
  });
}

function versionsNotSupported(row: SecretRow, version: number, storeType: string): NotSupportedError {
  return new NotSupportedError(
    `The '${storeType}' store keeps no earlier values, so version ${version} of '${row.name}' cannot be read.`,
    {
      hint: "Its history still lists who changed what and when; use a store with the 'versions' capability to read or roll back old values.",
      details: { id: row.id, version, storeType, capability: "versions" },
    },
  );
}

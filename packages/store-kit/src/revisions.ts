/**
 * Revision history as the stores keep it. Revisions count 1 after create and +1 per update; a
 * backend without usable version numbers marks each version it writes with its revision (Key Vault:
 * a tag `coffer-revision=<n>`; Secrets Manager, whose versions carry labels but no tags: a staging
 * label `coffer-r<n>`). Each store keeps the newest `maxVersions` readable and lets older ones go by
 * its backend's own mechanism; `RevisionHistory` holds the rules they share: which numbers can be
 * revisions, which revisions a write leaves behind, and the error for one that is not kept.
 */
import type { SecretId, SecretNotFoundError } from "@coffer/core";
import { noRevision } from "./common-errors.js";

/** The mark (tag) naming a version's revision, where versions carry tags; operators may not set it. */
export const REVISION_MARK = "coffer-revision";

/** A revision number read from a mark, or undefined when the text is not a positive integer. */
export function parseRevision(text: unknown): number | undefined {
  if (typeof text !== "string" || !/^[1-9][0-9]*$/.test(text)) return undefined;
  const revision = Number(text);
  return Number.isSafeInteger(revision) ? revision : undefined;
}

/** The label naming a version's revision, where versions carry labels only. */
export function revisionLabel(revision: number): string {
  return `coffer-r${revision}`;
}

/** The revision a label names, or undefined for any other label. */
export function revisionOfLabel(label: string): number | undefined {
  return label.startsWith("coffer-r") ? parseRevision(label.slice("coffer-r".length)) : undefined;
}

export class RevisionHistory {
  /** `keptHint` says which revisions stay readable (the error's hint for one that does not). */
  constructor(
    readonly maxVersions: number,
    readonly keptHint: string,
  ) {}

  /** The error for a revision this secret does not keep (pruned, never written, or impossible). */
  missing(id: SecretId, revision: number): SecretNotFoundError {
    return noRevision(id, revision, this.keptHint);
  }

  /** Refuses a number that can be no revision at all (not a positive integer) before any call. */
  assertPossible(id: SecretId, revision: number): void {
    if (!Number.isInteger(revision) || revision < 1) throw this.missing(id, revision);
  }

  /** After writing revision `latest`, revisions at or below this one are no longer kept (< 1: none). */
  newestDropped(latest: number): number {
    return latest - this.maxVersions;
  }
}

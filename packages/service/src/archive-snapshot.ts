/**
 * A backup archive (@coffer/backup) as one side of a diff (diff-snapshot.ts): its secrets' names,
 * owners, visibility, versions and per-key keyed hashes, streamed from the archive — values are
 * hashed as they are read and never kept. `coffer diff FILE` reads a file; the server's admin
 * diff endpoint reads the uploaded body. A damaged, truncated or wrongly keyed archive fails the
 * diff with the archive's INTEGRITY error once the reader reaches the damage, so a diff is never
 * reported on part of an archive.
 */
import type { ArchiveDecryption, ArchiveInput } from "@coffer/backup";
import { archives } from "./archives-on-demand.js";
import type { SnapshotSource } from "./diff-snapshot.js";

/** `open` gives the archive's bytes; a diff reads them once. */
export function archiveSnapshot(
  label: string,
  open: () => ArchiveInput,
  decryption: ArchiveDecryption,
): SnapshotSource {
  return {
    label,
    async *entries(hash) {
      for await (const record of (await archives()).readArchive(open(), decryption)) {
        if (record.kind !== "secret") continue;
        const { secret } = record;
        yield {
          name: secret.name,
          owner: secret.owner,
          private: secret.private,
          version: secret.version,
          keys: hash.perKey(secret.values),
        };
      }
    },
  };
}

/**
 * Migrations that seal metadata rows (metadata-seal.ts), kept apart from the schema's own.
 *
 * 0005 adds the `mac` column. 0006 seals every row that has none — the rows written before this
 * version — and, like every migration, runs once per database, under the migration lock: after
 * it, a row without a seal is not "old", it is tampered with, and fails its check. (A migration
 * that rewrites sealed columns later must seal the rows again, with MetadataSealer.)
 */
import type { MigrationStep } from "@coffer/sql";
import type { MetadataSealer } from "./metadata-seal.js";
import type { SecretRow } from "./schema.js";

const BATCH = 500;

export const sealColumnMigration: Record<string, MigrationStep> = {
  async "0005_secrets_seal"(db, t) {
    await db.schema.alterTable("coffer_secrets").addColumn("mac", t.key).execute();
  },
};

export function sealBackfillMigration(sealer: MetadataSealer): Record<string, MigrationStep> {
  return {
    async "0006_secrets_seal_backfill"(db) {
      let after = "";
      for (;;) {
        const rows = (await db
          .selectFrom("coffer_secrets")
          .selectAll()
          .where("id", ">", after)
          .where("mac", "is", null)
          .orderBy("id")
          .limit(BATCH)
          .execute()) as SecretRow[];
        if (rows.length === 0) return;
        for (const row of rows) {
          await db
            .updateTable("coffer_secrets")
            .set({ mac: sealer.seal(row) })
            .where("id", "=", row.id)
            .where("mac", "is", null)
            .execute();
        }
        after = rows.at(-1)!.id;
      }
    },
  };
}

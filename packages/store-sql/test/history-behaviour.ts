// History on the sql store: earlier revisions are sealed like the current one and bound to their
// revision, retention drops the oldest, delete drops them all, and rows written before revisions
// were bound (format 1) stay readable. Run on SQLite, PostgreSQL and MySQL from behaviour.ts.
import { IntegrityError, newSecretId, SecretNotFoundError, type StoreContext } from "@coffer/core";
import { expect, it } from "vitest";
import { LEGACY_FORMAT, seal } from "../src/envelope.js";
import { REVISIONS_TABLE, type SqlStore, type SqlStoreOptions, VALUES_TABLE } from "../src/index.js";
import { fakeKey, keyringJson, rowOf, withTable } from "./support.js";

type Started = (options: SqlStoreOptions, context: StoreContext) => Promise<SqlStore>;

export function describeHistoryBehaviour(
  getUrl: () => string,
  freshContext: () => StoreContext,
  started: Started,
): void {
  const revisionRows = (context: StoreContext, id: string) =>
    withTable(getUrl(), (db) =>
      db
        .selectFrom(REVISIONS_TABLE)
        .selectAll()
        .where("deployment_id", "=", context.deploymentId)
        .where("secret_id", "=", id)
        .orderBy("revision")
        .execute(),
    );

  it("history: earlier revisions are ciphertext only, kept up to maxVersions, and deleted with the secret", async () => {
    const context = freshContext();
    const store = await started({ maxVersions: 3 }, context);
    const id = newSecretId();
    await store.create(id, { password: "fake-history-1" });
    for (let n = 2; n <= 5; n++) await store.update(id, { password: `fake-history-${n}` });
    const rows = await revisionRows(context, id);
    // Revisions 3, 4 (moved aside) and 5 (current): the newest three.
    expect(rows.map((row) => Number(row.revision))).toEqual([3, 4]);
    for (const row of rows) expect(JSON.stringify(row)).not.toContain("fake-history");
    expect(await store.getRevision(id, 3)).toEqual({ password: "fake-history-3" });
    expect(await store.getRevision(id, 5)).toEqual({ password: "fake-history-5" });
    const gone = await store.getRevision(id, 2).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(SecretNotFoundError);
    expect((gone as SecretNotFoundError).hint).toMatch(/Revisions 3 to 5 are kept/);
    await store.delete(id);
    expect(await revisionRows(context, id)).toEqual([]);
    await expect(store.getRevision(id, 3)).rejects.toBeInstanceOf(SecretNotFoundError);
  });

  it("history: a revision's ciphertext copied onto another revision, or another id's revision, is an IntegrityError", async () => {
    const context = freshContext();
    const store = await started({}, context);
    const id = newSecretId();
    const other = newSecretId();
    await store.create(id, { v: "fake-rev-1" });
    await store.update(id, { v: "fake-rev-2" });
    await store.update(id, { v: "fake-rev-3" });
    await store.create(other, { v: "fake-other-1" });
    await store.update(other, { v: "fake-other-2" });
    const [one, two] = await revisionRows(context, id);
    const [otherOne] = await revisionRows(context, other);
    await withTable(getUrl(), async (db) => {
      const at = (secretId: string, revision: number) =>
        db
          .updateTable(REVISIONS_TABLE)
          .where("deployment_id", "=", context.deploymentId)
          .where("secret_id", "=", secretId)
          .where("revision", "=", revision);
      // Revision 1's sealed values put in place of revision 2 (a rollback by hand)…
      await at(id, 2).set({ iv: one!.iv, ciphertext: one!.ciphertext, key_id: one!.key_id }).execute();
      // …and the other id's revision 1 in place of this id's revision 1.
      await at(id, 1)
        .set({ iv: otherOne!.iv, ciphertext: otherOne!.ciphertext, key_id: otherOne!.key_id })
        .execute();
      // The current row replaced by an earlier revision of itself.
      await db
        .updateTable(VALUES_TABLE)
        .set({ iv: two!.iv, ciphertext: two!.ciphertext, key_id: two!.key_id })
        .where("deployment_id", "=", context.deploymentId)
        .where("secret_id", "=", id)
        .execute();
    });
    for (const read of [
      () => store.getRevision(id, 2),
      () => store.getRevision(id, 1),
      () => store.get(id),
    ]) {
      const error = await read().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IntegrityError);
      expect(String((error as Error).message)).not.toMatch(/fake-/);
    }
    expect(await store.getRevision(other, 1)).toEqual({ v: "fake-other-1" });
  });

  it("history: a row relabelled format 1, to drop the revision from its binding, is an IntegrityError", async () => {
    const context = freshContext();
    const store = await started({}, context);
    const id = newSecretId();
    await store.create(id, { v: "fake" });
    await withTable(getUrl(), (db) =>
      db
        .updateTable(VALUES_TABLE)
        .set({ format: LEGACY_FORMAT })
        .where("deployment_id", "=", context.deploymentId)
        .where("secret_id", "=", id)
        .execute(),
    );
    await expect(store.get(id)).rejects.toBeInstanceOf(IntegrityError);
  });

  it("history: a format-1 row from before revisions were bound still reads, and stays readable as a revision", async () => {
    const key = fakeKey();
    const context = freshContext();
    const store = await started({ keyring: keyringJson("k1", { k1: key }) }, context);
    const id = newSecretId();
    await store.create(id, { v: "placeholder" });
    const binding = { deploymentId: context.deploymentId, secretId: id, keyId: "k1", revision: 1 };
    const legacy = seal(
      Buffer.from(key, "base64"),
      binding,
      JSON.stringify({ v: "fake-legacy" }),
      LEGACY_FORMAT,
    );
    await withTable(getUrl(), (db) =>
      db
        .updateTable(VALUES_TABLE)
        .set({ ...legacy, format: LEGACY_FORMAT })
        .where("deployment_id", "=", context.deploymentId)
        .where("secret_id", "=", id)
        .execute(),
    );
    expect(await store.get(id)).toEqual({ v: "fake-legacy" });
    await store.update(id, { v: "fake-new" });
    expect(await store.getRevision(id, 1)).toEqual({ v: "fake-legacy" });
    expect(Number((await rowOf(getUrl(), id, context.deploymentId)).format)).toBe(2);
  });

  it("history: rotation moves earlier revisions onto the new key too, so the old key can retire", async () => {
    const context = freshContext();
    const [old, next] = [fakeKey(), fakeKey()];
    const store = await started({ keyring: keyringJson("k1", { k1: old }) }, context);
    const id = newSecretId();
    await store.create(id, { v: "fake-r1" });
    await store.update(id, { v: "fake-r2" });
    await store.update(id, { v: "fake-r3" });
    const rotated = await started({ keyring: keyringJson("k2", { k1: old, k2: next }) }, context);
    const result = await rotated.rotateKey({ batchSize: 1 });
    expect(result.history).toEqual({ reencrypted: 2, unreadable: 0, remaining: 0 });
    expect((await rotated.keyStatus()).keys).toEqual([
      { id: "k1", active: false, rows: 0 },
      { id: "k2", active: true, rows: 1, revisions: 2 },
    ]);
    expect((await rotated.retireUnusedKeys()).unused).toEqual(["k1"]);
    // Without k1 at all, every revision still reads.
    const onlyNew = await started({ keyring: keyringJson("k2", { k2: next }) }, context);
    for (const revision of [1, 2, 3]) {
      expect(await onlyNew.getRevision(id, revision)).toEqual({ v: `fake-r${revision}` });
    }
  });

  it("history: concurrent unconditional updates all land, each as its own revision", async () => {
    const context = freshContext();
    const store = await started({ maxVersions: 20 }, context);
    const id = newSecretId();
    await store.create(id, { v: "fake-0" });
    await Promise.all(Array.from({ length: 8 }, (_, n) => store.update(id, { v: `fake-${n + 1}` })));
    expect(await store.currentRevision(id)).toBe(9);
    const seen = new Set<string>();
    for (let revision = 1; revision <= 9; revision++) seen.add((await store.getRevision(id, revision)).v!);
    expect(seen.size).toBe(9);
  });
}

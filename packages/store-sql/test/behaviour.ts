// What the conformance suite cannot see: encryption, keys and rotation, run on every database.
// Each test uses a deployment id of its own, so the key checks at init (which look at every row
// of the deployment) see only that test's rows even though the database is shared.
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  IntegrityError,
  NotSupportedError,
  newSecretId,
  SecretNotFoundError,
  type SecretValues,
  type StoreContext,
} from "@coffer/core";
import { openDatabase } from "@coffer/sql";
import { afterEach, describe, expect, it } from "vitest";
import { seal } from "../src/envelope.js";
import {
  FORMAT,
  KEYRING_FILE_NAME,
  type SqlStore,
  type SqlStoreOptions,
  VALUES_TABLE,
} from "../src/index.js";
import { ValuesTable } from "../src/values-table.js";
import { describeHistoryBehaviour } from "./history-behaviour.js";
import {
  contextFor,
  fakeKey,
  keyringJson,
  newStore,
  recordingLogger,
  rowOf,
  tempDir,
  withTable,
} from "./support.js";

export function describeSqlStoreBehaviour(label: string, getUrl: () => string): void {
  describe(`sql store on ${label}: encryption, keys and rotation`, () => {
    const open: SqlStore[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((store) => store.close()));
    });

    const freshContext = (overrides: Partial<StoreContext> = {}) =>
      contextFor(getUrl(), { deploymentId: `t-${randomUUID()}`, ...overrides });

    async function started(options: SqlStoreOptions, context: StoreContext): Promise<SqlStore> {
      const store = newStore(options, context);
      open.push(store);
      await store.init();
      return store;
    }

    it("stores only ciphertext: no value, no key name in the row", async () => {
      const context = freshContext();
      const store = await started({}, context);
      const id = newSecretId();
      await store.create(id, { "fake-key-name-7781": "fake-password-plain-7781" });
      const row = await rowOf(getUrl(), id, context.deploymentId);
      const stored = JSON.stringify(row);
      expect(stored).not.toContain("fake-password-plain-7781");
      expect(stored).not.toContain("fake-key-name-7781");
      expect(row).toMatchObject({ format: FORMAT, revision: 1, key_id: expect.stringMatching(/^k\d{8}-/) });
      expect(Buffer.from(row.iv, "base64")).toHaveLength(12);
      // Two writes of the same values never produce the same ciphertext (a fresh IV each time).
      await store.update(id, { "fake-key-name-7781": "fake-password-plain-7781" });
      const again = await rowOf(getUrl(), id, context.deploymentId);
      expect(again.iv).not.toBe(row.iv);
      expect(again.ciphertext).not.toBe(row.ciphertext);
    });

    it("ciphertext copied onto another secret's row fails with IntegrityError, never returns the other values", async () => {
      const context = freshContext();
      const store = await started({}, context);
      const victim = newSecretId();
      const source = newSecretId();
      await store.create(victim, { password: "fake-victim" });
      await store.create(source, { password: "fake-attacker-chosen" });
      const copied = await rowOf(getUrl(), source, context.deploymentId);
      await withTable(getUrl(), (db) =>
        db
          .updateTable(VALUES_TABLE)
          .set({ key_id: copied.key_id, iv: copied.iv, ciphertext: copied.ciphertext, format: copied.format })
          .where("deployment_id", "=", context.deploymentId)
          .where("secret_id", "=", victim)
          .execute(),
      );
      const error = await store.get(victim).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as Error).message).toContain(victim);
      expect((error as Error).message).not.toContain("fake-attacker-chosen");
      await expect(store.getMany([victim, source])).rejects.toBeInstanceOf(IntegrityError);
      expect(await store.get(source)).toEqual({ password: "fake-attacker-chosen" });
    });

    it("a row moved to another deployment does not decrypt there, and deployments never see each other's rows", async () => {
      const keyring = keyringJson("k1", { k1: fakeKey() });
      const a = freshContext();
      const b = freshContext();
      const storeA = await started({ keyring }, a);
      const storeB = await started({ keyring }, b);
      const id = newSecretId();
      await storeA.create(id, { v: "fake-a" });
      await expect(storeB.get(id)).rejects.toBeInstanceOf(SecretNotFoundError);
      await storeB.create(id, { v: "fake-b" }); // the same id, another deployment: a separate row
      expect(await storeA.get(id)).toEqual({ v: "fake-a" });
      expect(await storeB.get(id)).toEqual({ v: "fake-b" });
      // Same key, same secret id: only the deployment differs, and that alone must fail.
      const rowA = await rowOf(getUrl(), id, a.deploymentId);
      await withTable(getUrl(), (db) =>
        db
          .updateTable(VALUES_TABLE)
          .set({ iv: rowA.iv, ciphertext: rowA.ciphertext })
          .where("deployment_id", "=", b.deploymentId)
          .where("secret_id", "=", id)
          .execute(),
      );
      await expect(storeB.get(id)).rejects.toBeInstanceOf(IntegrityError);
      await storeB.delete(id);
      expect(await storeA.get(id)).toEqual({ v: "fake-a" });
    });

    describeHistoryBehaviour(getUrl, freshContext, started);

    it("a flipped ciphertext byte, a relabelled key id or an unknown format is an IntegrityError", async () => {
      const keyring = keyringJson("k2", { k1: fakeKey(), k2: fakeKey() });
      const context = freshContext();
      const store = await started({ keyring }, context);
      const [flipped, relabelled, reformatted] = [newSecretId(), newSecretId(), newSecretId()];
      for (const id of [flipped, relabelled, reformatted]) await store.create(id, { v: "fake" });
      const row = await rowOf(getUrl(), flipped, context.deploymentId);
      const bytes = Buffer.from(row.ciphertext, "base64");
      bytes[0]! ^= 0x01;
      await withTable(getUrl(), async (db) => {
        const where = (id: string) =>
          db
            .updateTable(VALUES_TABLE)
            .where("deployment_id", "=", context.deploymentId)
            .where("secret_id", "=", id);
        await where(flipped)
          .set({ ciphertext: bytes.toString("base64") })
          .execute();
        await where(relabelled).set({ key_id: "k1" }).execute();
        await where(reformatted).set({ format: 3 }).execute();
      });
      await expect(store.get(flipped)).rejects.toThrow(/cannot be decrypted with key 'k2'/);
      await expect(store.get(relabelled)).rejects.toThrow(/cannot be decrypted with key 'k1'/);
      await expect(store.get(reformatted)).rejects.toThrow(/envelope format 3/);
      for (const id of [flipped, relabelled, reformatted]) {
        await expect(store.get(id)).rejects.toBeInstanceOf(IntegrityError);
      }
    });

    it("a key id missing from the keyring: init warns, other secrets work, reads name the key to add back", async () => {
      const k1 = fakeKey();
      const k2 = fakeKey();
      const context = freshContext();
      const before = await started({ keyring: keyringJson("k1", { k1 }) }, context);
      const old = newSecretId();
      await before.create(old, { v: "fake-old" });
      await before.close();
      const during = await started({ keyring: keyringJson("k2", { k1, k2 }) }, context);
      const current = newSecretId();
      await during.create(current, { v: "fake-current" });
      await during.close();

      const logger = recordingLogger();
      const after = await started({ keyring: keyringJson("k2", { k2 }) }, { ...context, logger });
      expect(logger.lines).toContainEqual(
        expect.objectContaining({ level: "warn", message: expect.stringContaining("key 'k1'") }),
      );
      expect(await after.get(current)).toEqual({ v: "fake-current" });
      const error = await after.get(old).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as Error).message).toBe(
        `Secret ${old} is encrypted with key 'k1', which is not in the keyring; add it back to read these secrets.`,
      );
      expect(await after.keyStatus()).toMatchObject({
        activeKeyId: "k2",
        keys: [{ id: "k2", active: true, rows: 1 }],
        missing: [{ keyId: "k1", rows: 1 }],
      });
    });

    it("a wrong key fails at init with an IntegrityError naming the key ids, never garbage", async () => {
      const context = freshContext();
      const first = await started({ encryptionKey: fakeKey() }, context);
      const id = newSecretId();
      await first.create(id, { v: "fake" });
      const firstKeyId = (await first.keyStatus()).activeKeyId;
      await first.close();

      const otherKey = newStore({ encryptionKey: fakeKey() }, context);
      open.push(otherKey);
      const error = await otherKey.init().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `None of the stored secrets can be decrypted: they are encrypted with key '${firstKeyId}' \\(1 secret\\)`,
        ),
      );

      // The same key id holding other key material is caught too, by decrypting a sample row.
      const k1 = keyringJson("k1", { k1: fakeKey() });
      const fresh = freshContext();
      const writer = await started({ keyring: k1 }, fresh);
      await writer.create(newSecretId(), { v: "fake" });
      await writer.close();
      const impostor = newStore({ keyring: keyringJson("k1", { k1: fakeKey() }) }, fresh);
      open.push(impostor);
      await expect(impostor.init()).rejects.toThrow(
        /Key 'k1' in option `keyring` does not decrypt the secrets stored under that id/,
      );
    });

    it("a lost keyring file fails init clearly and is not silently replaced by a new key", async () => {
      const dataDir = tempDir();
      const context = freshContext({ dataDir });
      const store = await started({}, context);
      await store.create(newSecretId(), { v: "fake" });
      const keyId = (await store.keyStatus()).activeKeyId;
      await store.close();
      const file = path.join(dataDir, KEYRING_FILE_NAME);
      rmSync(file);

      const restarted = newStore({}, context);
      open.push(restarted);
      const error = await restarted.init().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as Error).message).toBe(
        `The keyring file ${file} does not exist, but the database holds secrets encrypted with key '${keyId}' (1 secret). Coffer will not create a new key while they exist.`,
      );
      expect(existsSync(file)).toBe(false);

      // A different keyring file in its place (someone "fixed" it with a fresh one) fails too.
      writeFileSync(file, keyringJson("k-new", { "k-new": fakeKey() }), { mode: 0o600 });
      const replaced = newStore({}, context);
      open.push(replaced);
      await expect(replaced.init()).rejects.toThrow(
        /^None of the stored secrets can be decrypted: they are encrypted with key '.*' \(1 secret\), which is not in the keyring file .* \(it holds 'k-new'\)\.$/,
      );
    });

    it("a single encryptionKey refuses rotation and says how to move to a keyring", async () => {
      const store = await started({ encryptionKey: fakeKey() }, freshContext());
      const error = await store.rotateKey().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotSupportedError);
      expect((error as NotSupportedError).hint).toMatch(
        /Configure option `keyring` instead, keeping the current key under its id 'fp-[0-9a-f]{16}'/,
      );
    });

    it("rotation with an operator keyring re-encrypts onto the configured active key; retire lists what may go", async () => {
      const k1 = fakeKey();
      const k2 = fakeKey();
      const context = freshContext();
      const before = await started({ keyring: keyringJson("k1", { k1 }) }, context);
      const ids = Array.from({ length: 12 }, () => newSecretId());
      for (const [i, id] of ids.entries()) await before.create(id, { i: `fake-${i}` });
      await before.close();

      const after = await started({ keyring: keyringJson("k2", { k1, k2 }) }, context);
      expect((await after.retireUnusedKeys()).unused).toEqual([]); // k1 still encrypts every row
      const result = await after.rotateKey({ batchSize: 5 });
      expect(result).toMatchObject({
        activeKeyId: "k2",
        previousKeyId: "k2",
        generated: false,
        reencrypted: 12,
        remaining: 0,
        unreadable: [],
        batches: 3,
      });
      for (const [i, id] of ids.entries()) expect(await after.get(id)).toEqual({ i: `fake-${i}` });
      expect(await after.retireUnusedKeys()).toEqual({
        activeKeyId: "k2",
        removed: [],
        unused: ["k1"],
        keys: ["k1", "k2"],
      });
      // Revisions count value writes; re-encryption is not one.
      expect(await after.currentRevision(ids[0]!)).toBe(1);
    });

    it("rotation of the keyring file: a new key is persisted, every row moves to it, old keys retire", async () => {
      const dataDir = tempDir();
      const context = freshContext({ dataDir });
      const store = await started({}, context);
      const ids = Array.from({ length: 30 }, () => newSecretId());
      for (const [i, id] of ids.entries()) await store.create(id, { i: `fake-${i}` });
      const first = (await store.keyStatus()).activeKeyId;

      const result = await store.rotateKey({ batchSize: 8 });
      expect(result.previousKeyId).toBe(first);
      expect(result.activeKeyId).not.toBe(first);
      expect(result).toMatchObject({ generated: true, reencrypted: 30, remaining: 0, batches: 4 });
      expect(await store.keyStatus()).toMatchObject({
        activeKeyId: result.activeKeyId,
        keys: [
          { id: first, active: false, rows: 0 },
          { id: result.activeKeyId, active: true, rows: 30 },
        ],
        missing: [],
      });
      // A store started now (a restart) reads the new key from the file.
      const restarted = await started({}, context);
      for (const [i, id] of ids.entries()) expect(await restarted.get(id)).toEqual({ i: `fake-${i}` });

      const retired = await store.retireUnusedKeys();
      expect(retired).toEqual({
        activeKeyId: result.activeKeyId,
        removed: [first],
        unused: [first],
        keys: [result.activeKeyId],
      });
      const afterRetire = await started({}, context);
      expect(await afterRetire.get(ids[7]!)).toEqual({ i: "fake-7" });
      expect((await afterRetire.keyStatus()).keys).toEqual([
        { id: result.activeKeyId, active: true, rows: 30 },
      ]);
    });

    it("rotation under concurrent reads and writes (200 secrets, small batches) loses nothing", async () => {
      const context = freshContext();
      const store = await started({}, context);
      const ids = Array.from({ length: 200 }, () => newSecretId());
      const lastWritten = new Map<string, SecretValues>();
      const revisions = new Map<string, number>();
      for (const [i, id] of ids.entries()) {
        lastWritten.set(id, { owner: id, n: "0", pad: `fake-${i}` });
        revisions.set(id, 1);
        await store.create(id, lastWritten.get(id)!);
      }
      const before = (await store.keyStatus()).activeKeyId;

      let rotating = true;
      let writesDuringRotation = 0;
      let readsDuringRotation = 0;
      const problems: string[] = [];
      const WRITERS = 4;
      const MAX_ITERATIONS = 2_000; // a bound, in case rotation never ends
      // Requests reach a server through I/O; yielding to the event loop each time lets the
      // rotation's own file and socket I/O run, as it would between real requests.
      const nextRequest = () => new Promise((resolve) => setImmediate(resolve));
      // Each writer owns the ids with index ≡ w (mod WRITERS), so "last written" is well defined,
      // and writes with check-and-set: re-encryption must never look like a concurrent write.
      const writer = async (w: number) => {
        const mine = ids.filter((_, i) => i % WRITERS === w);
        for (let n = 1; rotating && n <= MAX_ITERATIONS; n++) {
          const id = mine[n % mine.length]!;
          const values = { owner: id, n: String(n), pad: `fake-w${w}-${n}` };
          await nextRequest();
          try {
            await store.update(id, values, { expectedRevision: revisions.get(id)! });
            revisions.set(id, revisions.get(id)! + 1);
            lastWritten.set(id, values);
            writesDuringRotation++;
          } catch (error) {
            problems.push(`update ${id}: ${(error as Error).message}`);
          }
        }
      };
      const reader = async (r: number) => {
        for (let n = 0; rotating && n < MAX_ITERATIONS; n++) {
          const batch = ids.slice((n * 17 + r * 31) % 180, ((n * 17 + r * 31) % 180) + 20);
          await nextRequest();
          try {
            const found = await store.getMany(batch);
            for (const id of batch)
              if (found.get(id)?.owner !== id) problems.push(`read ${id}: wrong or missing`);
            readsDuringRotation++;
          } catch (error) {
            problems.push(`read: ${(error as Error).message}`);
          }
        }
      };
      const workers = [...Array.from({ length: WRITERS }, (_, w) => writer(w)), reader(0), reader(1)];
      const result = await store.rotateKey({ batchSize: 7 }).finally(() => {
        rotating = false;
      });
      await Promise.all(workers);

      expect(problems).toEqual([]);
      expect(writesDuringRotation).toBeGreaterThan(0);
      expect(readsDuringRotation).toBeGreaterThan(0);
      expect(result.activeKeyId).not.toBe(before);
      expect(result.remaining).toBe(0);
      expect(result.reencrypted + result.skipped).toBeGreaterThanOrEqual(1);
      const status = await store.keyStatus();
      expect(status.keys.find((key) => key.id === result.activeKeyId)?.rows).toBe(200);
      const everything = await store.getMany(ids);
      for (const id of ids) {
        expect(everything.get(id)).toEqual(lastWritten.get(id));
        expect(await store.currentRevision(id)).toBe(revisions.get(id));
      }
    });

    it("another instance sharing the keyring file reads rows rotated after it started", async () => {
      const dataDir = tempDir();
      const context = freshContext({ dataDir });
      const rotator = await started({}, context);
      const other = await started({}, context); // holds the old keyring in memory
      const ids = Array.from({ length: 10 }, () => newSecretId());
      for (const [i, id] of ids.entries()) await rotator.create(id, { v: `fake-${i}` });
      const result = await rotator.rotateKey({ batchSize: 4 });
      expect(result.reencrypted).toBe(10);
      // Every row now names a key `other` did not have: it re-reads the changed file.
      for (const [i, id] of ids.entries()) expect(await other.get(id)).toEqual({ v: `fake-${i}` });
      expect((await other.keyStatus()).activeKeyId).toBe(result.activeKeyId);
    });

    it("rotation sweeps again for rows that a process still on the old key rewrote behind it", async () => {
      const dataDir = tempDir();
      const context = freshContext({ dataDir });
      const rotator = await started({}, context);
      const ids = Array.from({ length: 40 }, () => newSecretId());
      for (const id of ids) await rotator.create(id, { v: "fake-0" });
      // A process that will not see the new key: it was given the old keyring as an option.
      const oldKeyring = readFileSync(path.join(dataDir, KEYRING_FILE_NAME), "utf8");
      const stale = await started({ keyring: oldKeyring }, context);

      // After the third batch (15 rows moved), the stale process rewrites every secret with the
      // old key: 25 rows ahead of the sweep, and 15 behind it that only a second sweep can see.
      const result = await rotator.rotateKey({
        batchSize: 5,
        onBatch: async ({ batches }) => {
          if (batches !== 3) return;
          for (const id of ids) await stale.update(id, { v: "fake-stale" });
        },
      });

      expect(result).toMatchObject({ reencrypted: 15 + 40, skipped: 0, remaining: 0, unreadable: [] });
      const status = await rotator.keyStatus();
      expect(status.keys.find((key) => key.id === result.activeKeyId)?.rows).toBe(40);
      for (const id of ids) expect(await rotator.get(id)).toEqual({ v: "fake-stale" });
    });

    it("a re-encryption batch never overwrites a row written or recreated after it was read", async () => {
      const context = freshContext();
      const store = await started({ keyring: keyringJson("k1", { k1: fakeKey() }) }, context);
      const [updated, recreated, untouched] = [newSecretId(), newSecretId(), newSecretId()];
      for (const id of [updated, recreated, untouched]) await store.create(id, { v: "fake-old" });

      const database = openDatabase(getUrl());
      try {
        const table = new ValuesTable(database, context.deploymentId);
        const read = await table.notUnderKey("k-other", "", 10);
        expect(read.map((row) => row.secret_id).sort()).toEqual([updated, recreated, untouched].sort());
        // Meanwhile: one secret is updated, one deleted and created again (its revision is 1 again).
        await store.update(updated, { v: "fake-new" });
        await store.delete(recreated);
        await store.create(recreated, { v: "fake-recreated" });
        const stale = read.map((row) => ({
          secretId: row.secret_id,
          expected: { revision: row.revision, iv: row.iv },
          // What a batch would write: the values it read, sealed again (here: deliberately stale).
          sealed: {
            format: FORMAT,
            key_id: "k-other",
            ...seal(
              Buffer.alloc(32),
              {
                deploymentId: context.deploymentId,
                secretId: row.secret_id,
                keyId: "k-other",
                revision: Number(row.revision),
              },
              '{"v":"fake-stale"}',
            ),
          },
        }));
        expect(await table.rewrite(stale)).toEqual({ applied: 1, skipped: 2 });
      } finally {
        await database.close();
      }
      expect(await store.get(updated)).toEqual({ v: "fake-new" });
      expect(await store.get(recreated)).toEqual({ v: "fake-recreated" });
      // The one row nobody touched was rewritten (with a key the store does not have).
      await expect(store.get(untouched)).rejects.toThrow(/key 'k-other', which is not in the keyring/);
    });
  });
}

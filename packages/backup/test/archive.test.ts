import { PassThrough, Readable } from "node:stream";
import { Encrypter } from "age-encryption";
import { describe, expect, it } from "vitest";
import {
  type ArchivedSecret,
  ArchiveIntegrityError,
  ArchiveKeyError,
  generateArchiveIdentity,
  readArchive,
  verifyArchive,
  writeArchive,
} from "../src/index.js";

// A low scrypt work factor keeps the tests fast; production uses age's default (18).
const passphrase = { passphrase: "fake-test-passphrase", scryptWorkFactor: 10 };

function fakeSecret(i: number): ArchivedSecret {
  return {
    id: `id-${i}`,
    name: `app/secret-${i}`,
    owner: i % 2 === 0 ? "alice" : "bob",
    private: i % 3 === 0,
    version: 2,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-02T00:00:00.000Z",
    values: { user: `fake-user-${i}`, password: `fake-pw-${i}-"quoted"\n$HOME ünï` },
    history: [
      {
        version: 1,
        created: "2026-01-01T00:00:00.000Z",
        createdBy: "alice",
        action: "create",
        name: `app/secret-${i}`,
        private: i % 3 === 0,
        values: { user: `fake-old-${i}` },
      },
    ],
  };
}

async function* fakeSecrets(n: number): AsyncGenerator<ArchivedSecret> {
  for (let i = 0; i < n; i++) yield fakeSecret(i);
}

async function archiveBytes(n: number, encryption: Parameters<typeof writeArchive>[2] = passphrase) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (chunk: Buffer) => chunks.push(chunk));
  const summary = await writeArchive(
    { header: { source: { storeType: "memory" }, withHistory: true }, secrets: fakeSecrets(n) },
    out,
    encryption,
  );
  out.end();
  return { bytes: Buffer.concat(chunks), summary };
}

async function readAll(bytes: Uint8Array, decryption: Parameters<typeof readArchive>[1] = passphrase) {
  const secrets: ArchivedSecret[] = [];
  let end: unknown;
  for await (const record of readArchive(Readable.from([bytes]), decryption)) {
    if (record.kind === "secret") secrets.push(record.secret);
    if (record.kind === "end") end = record.summary;
  }
  return { secrets, end };
}

describe("archive", () => {
  it("round-trips secrets, history, counts and checksum through a passphrase", async () => {
    const { bytes, summary } = await archiveBytes(300);
    expect(summary.counts).toEqual({ secrets: 300, values: 600, historyVersions: 300 });
    expect(summary.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(bytes.toString("latin1")).not.toContain("fake-pw");
    const { secrets, end } = await readAll(bytes);
    expect(secrets).toEqual(Array.from({ length: 300 }, (_, i) => fakeSecret(i)));
    expect(end).toMatchObject({ counts: summary.counts, sha256: summary.sha256 });
    const verified = await verifyArchive(Readable.from([bytes]), passphrase);
    expect(verified.header).toMatchObject({
      format: "coffer-backup",
      formatVersion: 1,
      source: { storeType: "memory" },
    });
  });

  it("round-trips through a recipient key and refuses another identity", async () => {
    const key = await generateArchiveIdentity();
    const other = await generateArchiveIdentity();
    const { bytes } = await archiveBytes(3, { recipients: [key.recipient] });
    expect((await readAll(bytes, { identities: [key.identity] })).secrets).toHaveLength(3);
    await expect(readAll(bytes, { identities: [other.identity] })).rejects.toBeInstanceOf(ArchiveKeyError);
  });

  it("an empty store makes a valid archive", async () => {
    const { bytes, summary } = await archiveBytes(0);
    expect(summary.counts.secrets).toBe(0);
    expect((await verifyArchive(Readable.from([bytes]), passphrase)).counts.secrets).toBe(0);
  });

  it("refuses a wrong passphrase with ArchiveKeyError", async () => {
    const { bytes } = await archiveBytes(2);
    await expect(verifyArchive(Readable.from([bytes]), { passphrase: "not-it" })).rejects.toBeInstanceOf(
      ArchiveKeyError,
    );
  });

  it("refuses a flipped byte anywhere in the payload", async () => {
    const { bytes } = await archiveBytes(2000);
    for (const at of [bytes.length - 5, Math.floor(bytes.length / 2), 300]) {
      const tampered = Buffer.from(bytes);
      tampered[at] = (tampered[at] ?? 0) ^ 1;
      const error = await verifyArchive(Readable.from([tampered]), passphrase).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ArchiveIntegrityError);
    }
  });

  it("refuses a truncated archive, also cut at an age chunk boundary", async () => {
    const { bytes } = await archiveBytes(2000);
    expect(bytes.length).toBeGreaterThan(3 * 65552);
    const headerLength =
      bytes.indexOf("\n---") + 1 + bytes.subarray(bytes.indexOf("\n---") + 1).indexOf("\n") + 1;
    for (const length of [bytes.length - 1, bytes.length - 100, headerLength + 16 + 65552 * 2, 50]) {
      const error = await verifyArchive(Readable.from([bytes.subarray(0, length)]), passphrase).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ArchiveIntegrityError);
    }
  });

  it("refuses a file that is not an archive", async () => {
    const error = await verifyArchive(Readable.from([Buffer.from("hello\n")]), passphrase).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ArchiveIntegrityError);
    expect((error as ArchiveIntegrityError).reason).toBe("not-an-archive");
  });
});

describe("archive records", () => {
  async function sealed(plaintext: string): Promise<Uint8Array> {
    const encrypter = new Encrypter();
    encrypter.setPassphrase(passphrase.passphrase);
    encrypter.setScryptWorkFactor(10);
    return encrypter.encrypt(plaintext);
  }
  const header = JSON.stringify({
    kind: "header",
    format: "coffer-backup",
    formatVersion: 1,
    createdAt: "2026-01-01T00:00:00.000Z",
    source: { storeType: "memory" },
    withHistory: false,
  });

  it("refuses an end record whose checksum or counts disagree (a re-encrypted, edited archive)", async () => {
    const wrongSum = `${header}\n${JSON.stringify({ kind: "end", counts: { secrets: 0, values: 0, historyVersions: 0 }, sha256: "0".repeat(64) })}\n`;
    const error = await verifyArchive(Readable.from([await sealed(wrongSum)]), passphrase).catch(
      (e: unknown) => e,
    );
    expect((error as ArchiveIntegrityError).reason).toBe("checksum-mismatch");
  });

  it("refuses an archive without its end record and an unknown format version", async () => {
    const noEnd = await verifyArchive(Readable.from([await sealed(`${header}\n`)]), passphrase).catch(
      (e: unknown) => e,
    );
    expect((noEnd as ArchiveIntegrityError).reason).toBe("malformed");
    const v2 = header.replace('"formatVersion":1', '"formatVersion":2');
    const future = await verifyArchive(Readable.from([await sealed(`${v2}\n`)]), passphrase).catch(
      (e: unknown) => e,
    );
    expect((future as ArchiveIntegrityError).reason).toBe("unsupported-version");
  });
});

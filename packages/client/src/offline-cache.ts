/**
 * The offline cache file: the last value fetched of each secret, encrypted, so that reads can be
 * served while the server is unreachable (cached-reads.ts decides when, and for how long).
 *
 * - Each entry is sealed with AES-256-GCM (node:crypto) under the active key of a key file in the
 *   sql store's keyring format (`{ "active", "keys" }`), read through @coffer/sql's KeyringFile: a
 *   key file that group or others may read, or that another user owns, is refused; a missing one
 *   is created, mode 0600 in a 0700 directory.
 * - Nothing in the file is plaintext but the format name and key ids: an entry's label is an HMAC
 *   of (client scope, visibility, name), and its sealed body holds the metadata, the
 *   values and when they were fetched. The AAD binds the body to its label and key id, so an entry
 *   moved to another label, edited or truncated fails as an IntegrityError, never as a value.
 * - The key file's key is never used directly: HKDF-SHA256 derives one key for the labels' HMAC and
 *   one for AES-GCM, so that no key serves two algorithms.
 * - The file is rewritten whole (temporary file, then rename) after changes, one write at a time;
 *   `flush()` waits for the last one.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { IntegrityError, metadataFromJson, Secret, type SecretJson } from "@coffer/core";
import type { Keyring } from "@coffer/sql";

export const OFFLINE_FORMAT = "coffer-offline-cache/2";

export interface OfflineOptions {
  /** The encrypted cache file. */
  file: string;
  /** The key file (keyring JSON, owner-only); created on first use when missing. */
  keyFile: string;
  /** How long after it was fetched a value may still be served while the server is unreachable. */
  maxStalenessMs: number;
}

interface SealedEntry {
  /** Key id. */
  k: string;
  iv: string;
  tag: string;
  data: string;
}

interface FileShape {
  format: string;
  entries: Record<string, SealedEntry>;
}

export interface Recalled {
  secret: Secret;
  fetchedAt: number;
}

export class OfflineCache {
  readonly #options: OfflineOptions;
  readonly #scope: string;
  #keyring: Promise<Keyring> | undefined;
  #entries: Promise<Map<string, SealedEntry>> | undefined;
  /** Why the file on disk could not be read; recall() reports it until a fresh value replaces it. */
  #damage: IntegrityError | undefined;
  #dirty = false;
  #writing: Promise<void> | undefined;
  /** Why the last background write failed; flush() reports it once. */
  #writeError: unknown;

  /** `scope` names the client's server and credentials, so that no two clients share a label. */
  constructor(options: OfflineOptions, scope: string) {
    this.#options = options;
    this.#scope = scope;
  }

  /** Seals and keeps the value fetched for `key` (written to the file in the background). */
  async remember(key: string, secret: Secret, fetchedAt: number): Promise<void> {
    const keyring = await this.#key();
    const entries = await this.#load();
    const { id, key: aesKey } = keyring.activeKey();
    const label = this.#label(aesKey, key);
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", purposeKeys(aesKey).seal, iv);
    cipher.setAAD(aad(label, id));
    const body = JSON.stringify({ fetchedAt, secret: secret.toWire({ values: true }) });
    const data = Buffer.concat([cipher.update(body, "utf8"), cipher.final()]);
    entries.set(label, {
      k: id,
      iv: iv.toString("base64"),
      tag: cipher.getAuthTag().toString("base64"),
      data: data.toString("base64"),
    });
    this.#damage = undefined;
    this.#schedule();
  }

  /** The last value kept for `key`, or undefined; IntegrityError when the file or entry was altered. */
  async recall(key: string): Promise<Recalled | undefined> {
    const keyring = await this.#key();
    const entries = await this.#load();
    if (this.#damage) throw this.#damage;
    const label = this.#label(keyring.activeKey().key, key);
    const sealed = entries.get(label);
    if (!sealed) return undefined;
    const aesKey = keyring.key(sealed.k);
    if (!aesKey)
      throw this.#tampered(`an entry names the key '${sealed.k}', which the key file does not hold`);
    try {
      const decipher = createDecipheriv(
        "aes-256-gcm",
        purposeKeys(aesKey).seal,
        Buffer.from(sealed.iv, "base64"),
      );
      decipher.setAAD(aad(label, sealed.k));
      decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
      const body = Buffer.concat([decipher.update(Buffer.from(sealed.data, "base64")), decipher.final()]);
      const parsed = JSON.parse(body.toString("utf8")) as { fetchedAt: number; secret: SecretJson };
      return {
        fetchedAt: parsed.fetchedAt,
        secret: new Secret(metadataFromJson(parsed.secret), parsed.secret.values ?? {}),
      };
    } catch {
      throw this.#tampered("an entry does not decrypt under its key (altered, or sealed with another key)");
    }
  }

  /** Drops what is kept for these cache keys (their secrets changed). */
  async forget(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const keyring = await this.#key();
    const entries = await this.#load();
    let changed = false;
    for (const key of keys) changed = entries.delete(this.#label(keyring.activeKey().key, key)) || changed;
    if (changed) this.#schedule();
  }

  /** Waits until the file holds every change made so far. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
    const error = this.#writeError;
    this.#writeError = undefined;
    if (error) throw error;
  }

  #label(fileKey: Buffer, key: string): string {
    return createHmac("sha256", purposeKeys(fileKey).label)
      .update(`${this.#scope}\u0000${key}`)
      .digest("base64url");
  }

  #key(): Promise<Keyring> {
    this.#keyring ??= (async () => {
      const { KeyringFile, Keyring, generateKey } = await import("@coffer/sql");
      const file = new KeyringFile(this.#options.keyFile);
      const existing = await file.read(); // refuses a file group/others may read, or another user's
      if (existing) return existing;
      const fresh = generateKey();
      return file.create(new Keyring(fresh.id, new Map([[fresh.id, fresh.key]])));
    })();
    this.#keyring.catch(() => {
      this.#keyring = undefined; // a fixed key file is read again on the next call
    });
    return this.#keyring;
  }

  #load(): Promise<Map<string, SealedEntry>> {
    this.#entries ??= (async () => {
      let text: string;
      try {
        text = await readFile(this.#options.file, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Map();
        throw error;
      }
      const parsed = parseFile(text);
      if (typeof parsed === "string") {
        this.#damage = this.#tampered(parsed);
        return new Map();
      }
      return new Map(Object.entries(parsed.entries));
    })();
    return this.#entries;
  }

  #schedule(): void {
    this.#dirty = true;
    this.#writing ??= this.#writeLoop()
      .catch((error: unknown) => {
        this.#writeError = error;
      })
      .finally(() => {
        this.#writing = undefined;
      });
  }

  async #writeLoop(): Promise<void> {
    while (this.#dirty) {
      this.#dirty = false;
      const entries = await this.#load();
      const shape: FileShape = { format: OFFLINE_FORMAT, entries: Object.fromEntries(entries) };
      await writeAtomically(this.#options.file, `${JSON.stringify(shape)}\n`);
    }
  }

  #tampered(reason: string): IntegrityError {
    return new IntegrityError(`The offline cache file ${this.#options.file} cannot be trusted: ${reason}.`, {
      hint: "Nothing is served from it; the next successful read from the server rewrites it. Delete the file to start afresh.",
      details: { file: this.#options.file },
    });
  }
}

/** The key file's key split by purpose (HKDF-SHA256), made once per key. */
const purposes = new WeakMap<Buffer, { seal: Buffer; label: Buffer }>();
function purposeKeys(fileKey: Buffer): { seal: Buffer; label: Buffer } {
  let keys = purposes.get(fileKey);
  if (keys === undefined) {
    const derive = (info: string) => Buffer.from(hkdfSync("sha256", fileKey, Buffer.alloc(0), info, 32));
    keys = { seal: derive("coffer/offline-cache/seal"), label: derive("coffer/offline-cache/label") };
    purposes.set(fileKey, keys);
  }
  return keys;
}

function aad(label: string, keyId: string): Buffer {
  return Buffer.from(`${OFFLINE_FORMAT}\u0000${label}\u0000${keyId}`, "utf8");
}

function parseFile(text: string): FileShape | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "it is not JSON";
  }
  const shape = value as Partial<FileShape> | null;
  if (!shape || typeof shape !== "object" || shape.format !== OFFLINE_FORMAT) {
    return `it is not a ${OFFLINE_FORMAT} file`;
  }
  if (!shape.entries || typeof shape.entries !== "object") return "it has no entries";
  for (const entry of Object.values(shape.entries)) {
    const sealed = entry as Partial<SealedEntry> | null;
    if (
      !sealed ||
      typeof sealed.k !== "string" ||
      typeof sealed.iv !== "string" ||
      typeof sealed.tag !== "string" ||
      typeof sealed.data !== "string"
    ) {
      return "an entry is malformed";
    }
  }
  return shape as FileShape;
}

/** Writes a private temporary file beside `file` and renames it over: readers see old or new, whole. */
async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(temporary, "wx", 0o600);
  try {
    await handle.writeFile(text, "utf8");
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

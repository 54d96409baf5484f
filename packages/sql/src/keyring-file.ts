/**
 * The embedded default's keyring: a JSON file (same shape as the `keyring` option) created on
 * first use, private to the owner, and changed only by atomic replacement under a lock file:
 *
 * - created with O_EXCL and mode 0600 in a 0700 directory, then hard-linked into place, so two
 *   processes starting at once end up with the same key rather than one overwriting the other;
 * - refused when group or others may read or write it, or when another user owns it (someone could
 *   have planted a key of their own), with the chmod that fixes it;
 * - rewritten (rotation, retirement) by writing a temporary file, fsyncing it and renaming it over
 *   the old one, while holding `<file>.lock`, so a new key is on disk before any row uses it and
 *   two rotations cannot drop each other's keys.
 */
import { randomBytes } from "node:crypto";
import { type FileHandle, link, mkdir, open, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { BackendUnavailableError, IntegrityError, InvalidConfigError } from "@coffer/core";
import { type Keyring, parseKeyring } from "./keyring.js";

const CHECK_MODES = process.platform !== "win32";
const LOCK_WAIT_MS = 10_000;
const LOCK_POLL_MS = 50;

/** What identifies one version of the file on disk. */
interface Stamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

export class KeyringFile {
  #stamp: Stamp | undefined;

  constructor(readonly file: string) {}

  /** Reads the keyring, or undefined when the file does not exist. Checks ownership and mode. */
  async read(): Promise<Keyring | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(this.file, "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw this.#unreadable(error);
    }
    try {
      // fstat of the opened file: what is checked is what is read.
      const info = await handle.stat();
      this.#checkPrivate(info);
      const text = await handle.readFile("utf8");
      const keyring = parseKeyring(text);
      if (typeof keyring === "string") {
        throw new IntegrityError(`The keyring file ${this.file} is damaged: ${keyring}.`, {
          hint: "Restore it from your backup of the keyring file; the secrets cannot be read without it.",
          details: { file: this.file },
        });
      }
      this.#stamp = { ino: info.ino, size: info.size, mtimeMs: info.mtimeMs };
      return keyring;
    } catch (error) {
      if (error instanceof IntegrityError || error instanceof InvalidConfigError) throw error;
      throw this.#unreadable(error);
    } finally {
      await handle.close();
    }
  }

  /** True when the file on disk is not the version last read (another process rotated). */
  async changed(): Promise<boolean> {
    try {
      const info = await stat(this.file);
      const stamp = this.#stamp;
      return !stamp || info.ino !== stamp.ino || info.size !== stamp.size || info.mtimeMs !== stamp.mtimeMs;
    } catch {
      return false; // a missing file is reported by read(), not by a background check
    }
  }

  /**
   * Creates the file holding `keyring`, unless another process created it first: then its
   * keyring is returned instead, and ours is never used.
   */
  async create(keyring: Keyring): Promise<Keyring> {
    await this.#ensureDirectory();
    const temporary = await this.#writeTemporary(keyring);
    try {
      await link(temporary, this.file); // fails with EEXIST rather than replacing
      await this.#syncDirectory();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw this.#unwritable(error);
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
    const stored = await this.read();
    if (!stored) throw this.#unwritable(new Error("the file vanished right after it was created"));
    return stored;
  }

  /** Changes the keyring under the lock: read, change, write a temporary file, rename it over. */
  async update(change: (current: Keyring) => Keyring | Promise<Keyring>): Promise<Keyring> {
    return this.#withLock(async () => {
      const current = await this.read();
      if (!current) {
        throw new IntegrityError(`The keyring file ${this.file} has disappeared.`, {
          hint: "Restore it from your backup before changing keys.",
          details: { file: this.file },
        });
      }
      const next = await change(current);
      if (next === current) return current;
      const temporary = await this.#writeTemporary(next);
      try {
        await rename(temporary, this.file);
        await this.#syncDirectory();
      } catch (error) {
        await unlink(temporary).catch(() => undefined);
        throw this.#unwritable(error);
      }
      const stored = await this.read();
      if (!stored || stored.active !== next.active) {
        throw this.#unwritable(new Error("the file did not hold the new keyring after the rename"));
      }
      return stored;
    });
  }

  #checkPrivate(info: { mode: number; uid: number; isFile(): boolean }): void {
    if (!info.isFile()) {
      throw new InvalidConfigError(`The keyring file ${this.file} is not a regular file.`, {
        hint: "Point the store at the keyring file itself (option keyringFile).",
        details: { file: this.file },
      });
    }
    if (!CHECK_MODES) return;
    const uid = process.getuid?.();
    if (uid !== undefined && info.uid !== uid) {
      throw new InvalidConfigError(
        `The keyring file ${this.file} belongs to uid ${info.uid}, not to the user Coffer runs as (uid ${uid}).`,
        {
          hint: `A key file must belong to the user that uses it; if it is yours, run: chown ${uid} ${this.file}`,
          details: { file: this.file, owner: info.uid, uid },
        },
      );
    }
    const mode = info.mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new InvalidConfigError(
        `The keyring file ${this.file} is accessible to group or others (mode ${mode.toString(8).padStart(4, "0")}); Coffer refuses to use a key that others may read or replace.`,
        {
          hint: `Run: chmod 600 ${this.file} — and, if anyone else could have read it, rotate the key.`,
          details: { file: this.file, mode: mode.toString(8) },
        },
      );
    }
  }

  async #ensureDirectory(): Promise<void> {
    try {
      await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    } catch (error) {
      throw this.#unwritable(error);
    }
  }

  async #writeTemporary(keyring: Keyring): Promise<string> {
    const temporary = `${this.file}.${randomBytes(6).toString("hex")}.tmp`;
    let handle: FileHandle | undefined;
    try {
      handle = await open(temporary, "wx", 0o600);
      await handle.writeFile(`${JSON.stringify(keyring.toJSON(), null, 2)}\n`, "utf8");
      await handle.sync(); // the key is on disk before anything is encrypted with it
      return temporary;
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw this.#unwritable(error);
    } finally {
      await handle?.close();
    }
  }

  async #syncDirectory(): Promise<void> {
    // Makes the new directory entry durable. Not possible on every platform; best effort.
    const handle = await open(path.dirname(this.file), "r").catch(() => undefined);
    await handle
      ?.sync()
      .catch(() => undefined)
      .finally(() => handle.close());
  }

  async #withLock<T>(work: () => Promise<T>): Promise<T> {
    const lock = `${this.file}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const handle = await open(lock, "wx", 0o600);
        await handle.writeFile(`${process.pid} ${new Date().toISOString()}\n`);
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw this.#unwritable(error);
        if (Date.now() > deadline) {
          throw new BackendUnavailableError(
            `The keyring file ${this.file} is locked by another key change (lock file ${lock}).`,
            {
              hint: `Wait for the other rotation to finish. If none is running (a crash left the lock behind), remove ${lock}.`,
              details: { file: this.file, lock },
            },
          );
        }
        await sleep(LOCK_POLL_MS);
      }
    }
    try {
      return await work();
    } finally {
      await unlink(lock).catch(() => undefined);
    }
  }

  #unreadable(error: unknown): InvalidConfigError {
    const reason = (error as NodeJS.ErrnoException).code ?? "error";
    return new InvalidConfigError(`The keyring file ${this.file} cannot be read (${reason}).`, {
      hint: "Check that the file is readable by the user Coffer runs as.",
      details: { file: this.file, reason },
      cause: error,
    });
  }

  #unwritable(error: unknown): InvalidConfigError {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message ?? "error";
    return new InvalidConfigError(`The keyring file ${this.file} cannot be written (${reason}).`, {
      hint: "Check that its directory exists or can be created and that Coffer may write there (COFFER_DATA_DIR or keyringFile).",
      details: { file: this.file, reason },
      cause: error,
    });
  }
}

/**
 * The restore journal: which archive positions a restore started and finished, in a file named
 * after the archive's checksum, so a restore killed half-way and run again knows which secrets it
 * wrote (done: skip) and which it may have left half-written (started: its own, so redone
 * whatever the conflict policy). One short line per event, appended with a plain write: a killed
 * process loses nothing the kernel has been handed.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";

export class RestoreJournal {
  readonly started = new Set<number>();
  readonly done = new Set<number>();
  #fd: number | undefined;
  readonly file: string | undefined;

  /** Without a directory the journal lives in memory only (no resume). */
  constructor(directory: string | undefined, checksum: string) {
    if (directory === undefined) return;
    mkdirSync(directory, { recursive: true });
    this.file = path.join(directory, `restore-${checksum.slice(0, 32)}.journal`);
    let text = "";
    try {
      text = readFileSync(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    for (const line of text.split("\n")) {
      const [event, index] = line.split(" ");
      const at = Number(index);
      if (!Number.isSafeInteger(at)) continue; // a line cut by a kill
      if (event === "s") this.started.add(at);
      if (event === "d") this.done.add(at);
    }
    this.#fd = openSync(this.file, "a");
  }

  get resumed(): boolean {
    return this.started.size > 0 || this.done.size > 0;
  }

  start(index: number): void {
    this.started.add(index);
    this.#append(`s ${index}\n`);
  }

  finish(index: number): void {
    this.done.add(index);
    this.#append(`d ${index}\n`);
  }

  #append(line: string): void {
    if (this.#fd !== undefined) writeSync(this.#fd, line);
  }

  /** After a complete restore the journal has served its purpose. */
  complete(): void {
    this.close();
    if (this.file) rmSync(this.file, { force: true });
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

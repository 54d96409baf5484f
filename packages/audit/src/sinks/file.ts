/**
 * A JSON-lines file: one canonical record per line, appended. Created with mode 0600 (records name
 * users and secrets). Reading it back — to continue the chain, list and verify — reads the whole
 * file, which suits the sizes a file sink is for; the database sink is the one that scales.
 */

import type { FileHandle } from "node:fs/promises";
import { open, readFile, writeFile } from "node:fs/promises";
import { canonical } from "../chain.js";
import type { AuditRecord } from "../record.js";
import { type AuditFilter, listLimit, matches, type ReadableAuditSink, type StoredRecord } from "./sink.js";

export class FileSink implements ReadableAuditSink {
  readonly kind = "file" as const;
  #handle: FileHandle | undefined;

  constructor(readonly location: string) {}

  async write(records: readonly AuditRecord[]): Promise<void> {
    this.#handle ??= await open(this.location, "a", 0o600);
    await this.#handle.appendFile(records.map((record) => `${canonical(record)}\n`).join(""));
  }

  async close(): Promise<void> {
    await this.#handle?.close();
    this.#handle = undefined;
  }

  async head(): Promise<{ seq: number; hash: string } | undefined> {
    const all = await this.readAll();
    const last = all.at(-1)?.record;
    return last ? { seq: last.seq, hash: last.hash } : undefined;
  }

  async list(filter: AuditFilter): Promise<AuditRecord[]> {
    const records = (await this.readAll()).map((each) => each.record).filter((each) => matches(each, filter));
    return records.reverse().slice(0, listLimit(filter));
  }

  async readAll(): Promise<StoredRecord[]> {
    let text: string;
    try {
      text = await readFile(this.location, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const out: StoredRecord[] = [];
    const lines = text.split("\n");
    for (const [index, line] of lines.entries()) {
      if (line.trim() === "") continue;
      out.push(parseLine(line, `line ${index + 1}`));
    }
    return out;
  }

  async pruneBefore(seq: number): Promise<number> {
    const all = await this.readAll();
    const kept = all.filter((each) => each.record.seq >= seq);
    await this.close();
    await writeFile(this.location, kept.map((each) => `${canonical(each.record)}\n`).join(""), {
      mode: 0o600,
    });
    return all.length - kept.length;
  }

  async lastCheckpointBefore(time: number): Promise<number | undefined> {
    const all = await this.readAll();
    let found: number | undefined;
    for (const { record } of all) if (record.mac && record.time < time) found = record.seq;
    return found;
  }
}

/** A line that is not a record is kept as an empty-looking record so verify reports it in place. */
function parseLine(line: string, where: string): StoredRecord {
  try {
    return { record: JSON.parse(line) as AuditRecord, where };
  } catch {
    return {
      record: {
        seq: -1,
        time: 0,
        action: "audit.read",
        actor: { id: "" },
        origin: { kind: "server" },
        outcome: "",
        prev: "",
        hash: "",
      },
      where,
      mismatch: "the line is not a JSON record",
    };
  }
}

/**
 * The audit trail: numbers, times and chains each event, then writes the record to every sink.
 * Records that arrive while a write is in flight go together in the next one (group commit: one
 * multi-row insert, one file append), each caller still waiting for its own record to be written;
 * that keeps the cost per request small however many requests are under way.
 * A required sink that cannot be written makes `record` throw AuditUnavailableError, so the caller
 * refuses the request (no audit, no access); a best-effort sink's failure is logged and skipped.
 *
 * Records are written one at a time, in order (the chain needs each record's predecessor). The
 * readable sink that comes first (the database, by default) numbers them: when another process
 * sharing the database wrote the next number first (ChainMoved), the trail reads the new head and
 * chains onto it.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { AuditUnavailableError, BackendUnavailableError, type Logger } from "@coffer/core";
import { checkpointMac, type KeySource, recordHash } from "./chain.js";
import { SDK_ORIGIN } from "./context.js";
import type { AuditEvent, AuditRecord } from "./record.js";
import { ChainMoved } from "./sinks/database.js";
import { type AuditFilter, type AuditSink, isReadable, type ReadableAuditSink } from "./sinks/sink.js";
import { type VerifyReport, verifyRecords } from "./verify.js";

export interface SinkEntry {
  sink: AuditSink;
  /** A required sink's failure refuses the request; a best-effort one's is only logged. */
  required: boolean;
}

/** One sink's state, for monitoring (the server's /metrics): never a record or a location. */
export interface SinkHealth {
  kind: string;
  required: boolean;
  /** Whether the last write to it succeeded (true before the first). */
  up: boolean;
  /** Writes to it that failed since the start. */
  failures: number;
}

export interface AuditTrailOptions {
  sinks: SinkEntry[];
  keys: KeySource;
  logger: Logger;
  clock?: () => number;
  checkpointEvery?: number;
  retentionDays?: number;
  /**
   * How long records gather before a write starts, in ms (default 0: one event-loop turn). A
   * SQLite database sink waits a little longer: each of its commits is an fsync that blocks the
   * process, so fewer, larger commits cost much less (openAuditTrail sets it).
   */
  gatherMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long a record keeps retrying to chain onto a head other processes keep moving. */
const CHAIN_WAIT_MS = 10_000;
/**
 * After a required sink's backend was found down, records fail at once for this long instead of
 * each waiting out its own timeout behind the one before: during an outage requests are refused
 * quickly, and the queue does not build a backlog that outlasts the outage.
 */
const FAIL_FAST_MS = 1_000;
/** Records written together at most (rows in one insert). */
const MAX_BATCH = 500;

export class AuditTrail {
  readonly #sinks: SinkEntry[];
  readonly #keys: KeySource;
  readonly #logger: Logger;
  readonly #clock: () => number;
  readonly checkpointEvery: number;
  readonly retentionDays: number | undefined;
  readonly #gatherMs: number;
  #head: { seq: number; hash: string } | undefined;
  #waiting: Array<{ event: AuditEvent; resolve(record: AuditRecord): void; reject(error: unknown): void }> =
    [];
  #draining: Promise<void> | undefined;
  #down: { error: BackendUnavailableError; at: number } | undefined;
  readonly #health = new Map<AuditSink, { up: boolean; failures: number }>();

  private constructor(options: AuditTrailOptions, head: { seq: number; hash: string } | undefined) {
    this.#sinks = options.sinks;
    this.#keys = options.keys;
    this.#logger = options.logger;
    this.#clock = options.clock ?? Date.now;
    this.checkpointEvery = options.checkpointEvery ?? 1;
    this.retentionDays = options.retentionDays;
    this.#gatherMs = options.gatherMs ?? 0;
    this.#head = head;
  }

  /** A trail that continues the chain its first readable sink holds. */
  static async open(options: AuditTrailOptions): Promise<AuditTrail> {
    const primary = options.sinks.map((each) => each.sink).find(isReadable);
    const head = primary ? await primary.head() : undefined;
    return new AuditTrail(options, head);
  }

  get enabled(): boolean {
    return this.#sinks.length > 0;
  }

  /** The sinks, for messages (`coffer audit`, the server's start line). */
  describe(): string[] {
    return this.#sinks.map(
      ({ sink, required }) => `${sink.kind} (${sink.location})${required ? "" : ", best-effort"}`,
    );
  }

  /** Each sink's state: whether its last write succeeded, and how many failed (sinkHealth). */
  sinkHealth(): SinkHealth[] {
    return this.#sinks.map(({ sink, required }) => ({
      kind: sink.kind,
      required,
      up: this.#health.get(sink)?.up ?? true,
      failures: this.#health.get(sink)?.failures ?? 0,
    }));
  }

  #noteWrite(sink: AuditSink, ok: boolean): void {
    const state = this.#health.get(sink) ?? { up: true, failures: 0 };
    state.up = ok;
    if (!ok) state.failures++;
    this.#health.set(sink, state);
  }

  /** Writes one record to every sink; AuditUnavailableError when a required one fails. */
  record(event: AuditEvent): Promise<AuditRecord> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ event, resolve, reject });
      // One turn of the event loop first: requests already arriving reach their audit records too
      // and share the write. With SQLite, whose calls block, there is no other time to gather them.
      this.#draining ??= new Promise<void>((resolve) =>
        this.#gatherMs > 0 ? setTimeout(resolve, this.#gatherMs) : setImmediate(resolve),
      ).then(() => this.#drain());
    });
  }

  /** Writes what is waiting, batch after batch, until nothing is. */
  async #drain(): Promise<void> {
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#waiting.splice(0, MAX_BATCH);
        try {
          const records = await this.#write(batch.map((each) => each.event));
          for (const [index, each] of batch.entries()) each.resolve(records[index]!);
        } catch (error) {
          for (const each of batch) each.reject(error);
        }
      }
    } finally {
      // Runs in the same step as the loop's last check: a record that arrives next starts a drain.
      this.#draining = undefined;
    }
  }

  async #write(events: AuditEvent[]): Promise<AuditRecord[]> {
    const started = Date.now();
    if (this.#down && started - this.#down.at < FAIL_FAST_MS) throw this.#down.error;
    for (let attempt = 0; ; attempt++) {
      const records = this.#chain(events);
      try {
        await this.#writeToSinks(records);
        const last = records.at(-1)!;
        this.#head = { seq: last.seq, hash: last.hash };
        return records;
      } catch (error) {
        if (!(error instanceof ChainMoved)) throw error;
        if (Date.now() - started > CHAIN_WAIT_MS)
          throw this.#unavailable(this.#sinks[0]!.sink, records[0]!, error);
        // Others are writing too: back off a little (more each time, jittered) so one of us wins.
        if (attempt > 0) await sleep(Math.random() * Math.min(50, 2 * attempt));
        this.#head = await this.#primary()?.head();
      }
    }
  }

  /** The events as records chained onto the head, in order. */
  #chain(events: AuditEvent[]): AuditRecord[] {
    let head = this.#head;
    return events.map((event) => {
      const seq = (head?.seq ?? 0) + 1;
      const unsigned = {
        ...event,
        origin: event.origin ?? SDK_ORIGIN,
        seq,
        time: this.#clock(),
        prev: head?.hash ?? "",
      };
      const record: AuditRecord = { ...unsigned, hash: recordHash(unsigned) };
      if (seq % this.checkpointEvery === 0) record.mac = checkpointMac(this.#keys, record);
      head = { seq, hash: record.hash };
      return record;
    });
  }

  async #writeToSinks(records: AuditRecord[]): Promise<void> {
    const record = records[0]!;
    for (const [index, { sink, required }] of this.#sinks.entries()) {
      try {
        await sink.write(records);
        this.#noteWrite(sink, true);
      } catch (error) {
        // Only the numbering sink's race restarts the record; elsewhere it is a plain failure.
        if (error instanceof ChainMoved && index === 0) throw error;
        this.#noteWrite(sink, false);
        // The database sink's database being down is the metadata database being down: the
        // request fails as it would have without an audit log, with the same retryable 503.
        if (required && error instanceof BackendUnavailableError) {
          this.#down = { error, at: Date.now() };
          throw error;
        }
        if (required) throw this.#unavailable(sink, record, error);
        this.#logger.warn("audit sink failed (best-effort, skipped)", {
          sink: sink.kind,
          location: sink.location,
          seq: record.seq,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  #unavailable(sink: AuditSink, record: AuditRecord, cause: unknown): AuditUnavailableError {
    return new AuditUnavailableError(
      `The audit log could not be written to its ${sink.kind} sink (${sink.location}), so the request was refused: no audit, no access.`,
      {
        hint: `Fix the ${sink.kind} sink, or mark it best-effort (COFFER_AUDIT_BEST_EFFORT=${sink.kind}) if losing records there is acceptable.`,
        details: { sink: sink.kind, action: record.action },
        cause,
      },
    );
  }

  #primary(): ReadableAuditSink | undefined {
    return this.#sinks.map((each) => each.sink).find(isReadable);
  }

  #readable(): ReadableAuditSink {
    const primary = this.#primary();
    if (!primary) {
      throw new AuditUnavailableError(
        "No audit sink that can be read back is configured (only standard output).",
        {
          hint: "Add the database or a file sink (COFFER_AUDIT_SINKS=database) to list and verify records.",
          details: { sink: "stdout" },
        },
      );
    }
    return primary;
  }

  /** Waits until every record handed in so far is written (or has failed). */
  async flush(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /** Records, newest first, from the first readable sink. */
  list(filter: AuditFilter = {}): Promise<AuditRecord[]> {
    return this.#readable().list(filter);
  }

  /** Checks the chain in the first readable sink (or the given one). */
  async verify(sink: ReadableAuditSink = this.#readable()): Promise<VerifyReport> {
    return verifyRecords(await sink.readAll(), { keys: this.#keys, checkpointEvery: this.checkpointEvery });
  }

  /**
   * Retention: drops records older than the retention period, but only up to a checkpoint, which
   * stays as the first record and anchors the chain (its MAC vouches for everything after it).
   * Records are kept a little longer than the period, never dropped so that verify would fail.
   */
  async prune(now = this.#clock()): Promise<number> {
    if (this.retentionDays === undefined) return 0;
    const cutoff = now - this.retentionDays * DAY_MS;
    const anchor = await this.#primary()?.lastCheckpointBefore(cutoff);
    if (anchor === undefined || anchor <= 1) return 0;
    let removed = 0;
    for (const { sink } of this.#sinks) if (isReadable(sink)) removed += await sink.pruneBefore(anchor);
    // Says in the chain where the log now starts, so removing more from the start is still seen.
    await this.record({
      action: "audit.prune",
      actor: { id: "coffer", name: "retention" },
      target: { keptFrom: anchor },
      outcome: "ok",
    });
    return removed;
  }

  async close(): Promise<void> {
    await this.flush();
    for (const { sink } of this.#sinks) await sink.close().catch(() => undefined);
  }
}

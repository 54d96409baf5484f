/**
 * Checking a log: walks the records in stored order and reports each place where the chain does
 * not hold, as one of
 *   edited    a record's content no longer matches its hash (or an indexed column its record),
 *             or a record before a link was changed;
 *   removed   sequence numbers missing (deleted records), including at the start when the first
 *             kept record is not a checkpoint that anchors the chain after retention;
 *   inserted  a record the key holder did not write: a second record with a number already seen,
 *             or a well-formed record without the valid checkpoint MAC it needs;
 *   reordered records stored out of order.
 * What it cannot see: records cut from the very end (the log simply looks shorter) — compare the
 * head seq with what you expect, e.g. from the stdout sink's shipped copy.
 */
import { checkpointProblem, type KeySource, recordHash } from "./chain.js";
import type { AuditRecord } from "./record.js";
import type { StoredRecord } from "./sinks/sink.js";

export type ProblemKind = "edited" | "removed" | "inserted" | "reordered";

export interface VerifyProblem {
  kind: ProblemKind;
  /** The sequence number the problem is at (the first missing one, for removals). */
  seq: number;
  /** Where in the sink: "row seq 12", "line 12". */
  where: string;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Records checked. */
  records: number;
  first?: number;
  last?: number;
  problems: VerifyProblem[];
}

export interface VerifyOptions {
  keys: KeySource;
  /** Every record whose seq is a multiple of this must carry a valid checkpoint MAC. */
  checkpointEvery: number;
}

export function verifyRecords(stored: StoredRecord[], options: VerifyOptions): VerifyReport {
  const problems: VerifyProblem[] = [];
  const report = (kind: ProblemKind, seq: number, where: string, message: string) =>
    problems.push({ kind, seq, where, message });
  const seen = new Set<number>();
  // Where the log should start: 1, or where the latest retention run said it kept records from.
  const pruned = stored.filter(({ record }) => record.action === "audit.prune").at(-1)?.record
    .target?.keptFrom;
  const expectedFirst = typeof pruned === "number" ? pruned : 1;
  let expected: number | undefined;
  let prevHash = "";

  for (const [index, { record, where, mismatch }] of stored.entries()) {
    const seq = Number(record.seq);
    if (mismatch) report("edited", seq, where, `Record ${seq} (${where}): ${mismatch}.`);
    if (seen.has(seq)) {
      report(
        "inserted",
        seq,
        where,
        `A second record claims seq ${seq} (${where}): one of them was inserted.`,
      );
      continue;
    }
    seen.add(seq);
    if (expected === undefined) {
      anchor(record, where, expectedFirst, options, report);
    } else if (seq > expected) {
      const missing = expected;
      const later = stored.slice(index + 1).some((each) => Number(each.record.seq) === missing);
      if (later) {
        report("reordered", missing, where, `Record ${seq} (${where}) is stored before record ${missing}.`);
      } else {
        const range = seq - 1 === missing ? `${missing}` : `${missing}–${seq - 1}`;
        report("removed", missing, where, `Record(s) ${range} are missing before ${where}.`);
      }
    } else if (seq < expected) {
      report("reordered", seq, where, `Record ${seq} (${where}) is stored after record ${expected - 1}.`);
      prevHash = record.hash;
      continue;
    } else if (record.prev !== prevHash) {
      report(
        "edited",
        seq - 1,
        where,
        `Record ${seq} (${where}) does not follow the record before it: that one was changed or replaced.`,
      );
    }
    checkRecord(record, where, options, report);
    prevHash = record.hash;
    expected = seq + 1;
  }

  const first = stored[0]?.record.seq;
  const last = stored.at(-1)?.record.seq;
  return {
    ok: problems.length === 0,
    records: stored.length,
    ...(first !== undefined ? { first: Number(first) } : {}),
    ...(last !== undefined ? { last: Number(last) } : {}),
    problems: dedupe(problems),
  };
}

type Report = (kind: ProblemKind, seq: number, where: string, message: string) => void;

/** The first record: the start of the log, or a checkpoint that retention left as the anchor. */
function anchor(
  record: AuditRecord,
  where: string,
  expectedFirst: number,
  options: VerifyOptions,
  report: Report,
): void {
  const seq = Number(record.seq);
  if (seq === 1 && record.prev === "") return;
  if (seq <= expectedFirst && record.mac && !checkpointProblem(options.keys, record)) return;
  const why =
    seq > expectedFirst
      ? `retention kept the log from record ${expectedFirst}`
      : "it is not a checkpoint that anchors the chain";
  report(
    "removed",
    Math.min(expectedFirst, seq),
    where,
    `The log starts at record ${seq} (${where}), but ${why}: the records before it were removed.`,
  );
}

function checkRecord(record: AuditRecord, where: string, options: VerifyOptions, report: Report): void {
  const seq = Number(record.seq);
  if (recordHash(record) !== record.hash) {
    report("edited", seq, where, `Record ${seq} (${where}) was changed: it no longer matches its hash.`);
    return;
  }
  const due = options.checkpointEvery > 0 && seq % options.checkpointEvery === 0;
  if (!record.mac && !due) return;
  const problem = record.mac ? checkpointProblem(options.keys, record) : "it carries no checkpoint MAC";
  if (problem) {
    report(
      "inserted",
      seq,
      where,
      `Record ${seq} (${where}) was not written by Coffer: ${problem}. It was inserted, or rewritten with a recomputed hash.`,
    );
  }
}

function dedupe(problems: VerifyProblem[]): VerifyProblem[] {
  const seen = new Set<string>();
  return problems.filter((each) => {
    const key = `${each.kind}:${each.seq}:${each.where}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// Times are kept as epoch nanoseconds (bigint) and sent as google.protobuf.Timestamp, which
// proto-loader (longs: String) represents as `{ seconds: "<int64>", nanos }`.

export interface Timestamp {
  seconds: string;
  nanos: number;
}

export interface Duration {
  seconds: string;
  nanos: number;
}

const NS_PER_S = 1_000_000_000n;

/** Strictly increasing wall clock, so creation order and etags never tie. */
export class Clock {
  private last = 0n;

  now(): bigint {
    let ns = BigInt(Date.now()) * 1_000_000n;
    if (ns <= this.last) ns = this.last + 1_000n;
    this.last = ns;
    return ns;
  }
}

export function toTimestamp(ns: bigint): Timestamp {
  return { seconds: (ns / NS_PER_S).toString(), nanos: Number(ns % NS_PER_S) };
}

/** Nanoseconds from a Timestamp or Duration message (null when the field is unset). */
export function fromSecondsNanos(value: { seconds?: string | number; nanos?: number } | null | undefined) {
  if (!value) return undefined;
  return BigInt(value.seconds ?? 0) * NS_PER_S + BigInt(value.nanos ?? 0);
}

export function toDuration(ns: bigint): Duration {
  return { seconds: (ns / NS_PER_S).toString(), nanos: Number(ns % NS_PER_S) };
}

/** RFC 3339 text (as filters write times) to nanoseconds; undefined when it does not parse. */
export function parseRfc3339(text: string): bigint | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  const fraction = BigInt((m[2] ?? "").padEnd(9, "0") || "0");
  return BigInt(ms) * 1_000_000n + fraction;
}

/** Etags are quoted opaque strings; the service's own look like `"1613bf2f4e3d34"`. */
export function etagAt(ns: bigint): string {
  return `"${(ns / 1000n).toString(16)}"`;
}

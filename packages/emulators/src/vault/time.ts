/**
 * Time as Vault writes and reads it: RFC 3339 timestamps with nanosecond digits, Go duration
 * strings in answers, and duration parameters in requests.
 */
import type { Clock } from "../shared/http.js";

/** A point in time as Vault reports it: epoch ms for arithmetic, RFC 3339 text for the wire. */
export interface Timestamp {
  readonly ms: number;
  readonly text: string;
}

/**
 * Now, formatted like Go's `time.RFC3339Nano` in UTC (up to nine fractional digits, trailing zeros
 * dropped), which is how Vault writes `created_time` and friends. The clock gives milliseconds; the
 * digits below a millisecond come from the monotonic high-resolution timer.
 */
export function now(clock: Clock): Timestamp {
  const ms = clock();
  const subMillisecondNanos = Number(process.hrtime.bigint() % 1_000_000n);
  return { ms, text: rfc3339Nano(ms, subMillisecondNanos) };
}

export function at(ms: number): Timestamp {
  return { ms, text: rfc3339Nano(ms, 0) };
}

export function rfc3339Nano(ms: number, subMillisecondNanos: number): string {
  const iso = new Date(ms).toISOString(); // 2026-01-15T12:00:00.123Z
  const whole = iso.slice(0, 19);
  const nanos = (((ms % 1000) + 1000) % 1000) * 1_000_000 + subMillisecondNanos;
  const fraction = String(nanos).padStart(9, "0").replace(/0+$/, "");
  return `${whole}${fraction ? `.${fraction}` : ""}Z`;
}

/** Seconds as a Go `time.Duration` string: 0 → "0s", 90 → "1m30s", 3600 → "1h0m0s". */
export function goDuration(totalSeconds: number): string {
  if (totalSeconds === 0) return "0s";
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Parses a Vault duration parameter: an integer number of seconds, a numeric string, or a Go-style
 * duration such as "90s", "15m", "1h30m" (Vault also accepts "d"). Returns undefined if malformed.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (!/^(\d+[smhd])+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([smhd])/g)) {
    total += Number(amount) * (UNIT_SECONDS[unit as string] ?? 0);
  }
  return total;
}

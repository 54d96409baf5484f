/**
 * Timing several ways of doing the same thing side by side (Coffer's get against the provider's
 * own client, say): the calls take turns, one call of each path per round in an order that
 * rotates so that no path always follows the same other, and every call is timed on its own, so
 * that all paths see the same machine.
 */
import { printTable } from "./table.ts";

export interface TimedPath {
  label: string;
  run: () => Promise<unknown>;
  /** Milliseconds per call, warm-up calls left out. */
  samples: number[];
}

export function timedPath(label: string, run: () => Promise<unknown>): TimedPath {
  return { label, run, samples: [] };
}

/** `warmup` untimed rounds, then `iterations` timed rounds of one call per path. */
export async function timeInTurns(
  paths: TimedPath[],
  { warmup, iterations }: { warmup: number; iterations: number },
): Promise<void> {
  for (let round = 0; round < warmup + iterations; round++) {
    for (let turn = 0; turn < paths.length; turn++) {
      const path = paths[(round + turn) % paths.length]!;
      const started = performance.now();
      await path.run();
      if (round >= warmup) path.samples.push(performance.now() - started);
    }
  }
}

export function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

export function medianOf(path: TimedPath): number {
  return quantile(path.samples, 0.5);
}

/** `path`'s median over `baseline`'s, as "1.034". */
export function ratio(path: TimedPath, baseline: TimedPath): string {
  return (medianOf(path) / medianOf(baseline)).toFixed(3);
}

/** How many microseconds `path`'s median adds to `baseline`'s. */
export function addedMicroseconds(path: TimedPath, baseline: TimedPath): string {
  return ((medianOf(path) - medianOf(baseline)) * 1000).toFixed(0);
}

/** A table of each path's median, p90 and p99, in milliseconds. */
export function printQuantiles(title: string, paths: TimedPath[]): void {
  printTable(
    title,
    ["path", "median", "p90", "p99"],
    paths.map((path) => [
      path.label,
      quantile(path.samples, 0.5),
      quantile(path.samples, 0.9),
      quantile(path.samples, 0.99),
    ]),
  );
}

/** Median with its spread (p10–p90), in milliseconds, and each path's median over `baseline`'s. */
export function printSpread(title: string, paths: TimedPath[], baseline: TimedPath): void {
  printTable(
    title,
    ["path", "median", "p10", "p90", `× ${baseline.label.split(":")[0]!.trim()}`],
    paths.map((path) => [
      path.label,
      quantile(path.samples, 0.5),
      quantile(path.samples, 0.1),
      quantile(path.samples, 0.9),
      ratio(path, baseline),
    ]),
  );
}

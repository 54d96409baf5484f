/**
 * The goals the benchmarks measure against (issue 19's table, and the other issues' speed goals):
 * a bench reports each measured row here, and `pnpm bench` (scripts/bench.mjs) prints every row
 * reported during its run in one table at the end, side by side. A bench run on its own (without
 * COFFER_BENCH_GOALS) only prints its own tables.
 */
import { appendFileSync } from "node:fs";

export interface GoalRow {
  measure: string;
  /** What was measured, as printed: "1.19×", "347 MiB". */
  value: string;
  goal: string;
  met: boolean;
}

export function reportGoal(row: GoalRow): void {
  const file = process.env.COFFER_BENCH_GOALS;
  if (file) appendFileSync(file, `${JSON.stringify(row)}\n`);
}

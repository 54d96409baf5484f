/**
 * @coffer/backup, loaded on first use. It brings age-encryption and the noble curves and hashes
 * (~300 KB); evaluating them cost ~14 ms of CPU at the start of every process that opens the
 * service (`coffer secret get`: 130 → 116 ms, packages/cli/bench/cold-start.bench.ts), though only
 * the archive operations (backup export, restore, diff against an archive) use them. Every function
 * they use is asynchronous, so waiting for the import changes nothing a caller can observe.
 */
export const archives = () => import("@coffer/backup");

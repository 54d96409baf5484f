// Stands in for @coffer/backup inside @coffer/service, which imports it statically for the
// archive operations (backup export, restore, diff against an archive). @coffer/backup brings
// age-encryption and the noble curves and hashes (~300 KB), and evaluating them cost ~14 ms of
// CPU on every `coffer secret get` (bench/ab-cold-start.mjs, 31 runs: 130 → 116 ms) though no
// such command touches an archive. Here each function loads the package on its first call.
//
// The functions the service imports are all asynchronous (readArchive an async generator), so
// waiting for the import changes nothing a caller can observe. If the service comes to import
// anything else from @coffer/backup, the build fails ("No matching export"): add it here, or
// (better) make the service import @coffer/backup on demand itself and drop this file.
const load = () => import("@coffer/backup");

export async function writeArchive(...args) {
  return (await load()).writeArchive(...args);
}

export async function verifyArchive(...args) {
  return (await load()).verifyArchive(...args);
}

export async function* readArchive(...args) {
  return yield* (await load()).readArchive(...args);
}

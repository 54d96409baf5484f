// `coffer backup` / `coffer restore` of many secrets on the default local store (sql on SQLite:
// values and metadata in SQLite files, so nothing but the code under test holds secrets in
// memory): time, rate and peak RSS of each step, each run in its own process so that its peak RSS
// is its own. BENCH_BACKUP_SECRETS sets the count, or several (default 10,000; the figure
// is 100,000), BENCH_BACKUP_STEPS the steps (default seed,backup,restore). Seeding goes through the
// client one create at a time, like any writer. The restore runs twice, into two fresh deployments,
// one secret at a time ("restore-1", as before bounded concurrency) and with the default
// concurrency ("restore"), so the two are measured on the same archive at about the same load.
import { spawnSync } from "node:child_process";
import { createReadStream, createWriteStream, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { finished } from "node:stream/promises";
import { generateArchiveIdentity } from "@coffer/backup";
import { createClient } from "@coffer/client";

const step = process.argv[2];

if (step === undefined) {
  const counts = (process.env.BENCH_BACKUP_SECRETS ?? "10000").split(",").map(Number);
  const { identity, recipient } = await generateArchiveIdentity();
  const rows: string[][] = [];
  for (const count of counts) {
    const source = mkdtempSync(path.join(tmpdir(), "coffer-bench-backup-src-"));
    const target = mkdtempSync(path.join(tmpdir(), "coffer-bench-backup-dst-"));
    const file = path.join(source, "bench.age");
    const steps = [
      ["seed", source, String(count)],
      ["backup", source, file],
      ["restore-1", mkdtempSync(path.join(tmpdir(), "coffer-bench-backup-dst1-")), file],
      ["restore", target, file],
    ] as const;
    // BENCH_BACKUP_STEPS=seed,backup leaves out the restore (100,000 writes take long on a small machine).
    const wanted = (process.env.BENCH_BACKUP_STEPS ?? "seed,backup,restore-1,restore").split(",");
    for (const [name, dir, extra] of steps.filter(([name]) => wanted.includes(name))) {
      const result = spawnSync(
        process.execPath,
        ["--disable-warning=ExperimentalWarning", import.meta.filename, name, dir, extra],
        {
          env: { ...process.env, BENCH_RECIPIENT: recipient, BENCH_IDENTITY: identity },
          encoding: "utf8",
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      if (result.status !== 0) throw new Error(`${name} failed`);
      const { seconds, maxRssMb } = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as {
        seconds: number;
        maxRssMb: number;
      };
      const size =
        name === "backup" ? ` (${(statSync(file).size / 1024 / 1024).toFixed(1)} MiB archive)` : "";
      rows.push([
        String(count),
        name + size,
        seconds.toFixed(1),
        String(Math.round(count / seconds)),
        maxRssMb.toFixed(0),
      ]);
      console.error(`  ${count} ${name}: ${seconds.toFixed(1)} s, peak RSS ${maxRssMb.toFixed(0)} MB`);
    }
  }
  const header = ["secrets", "step", "seconds", "secrets/s", "peak RSS MB"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  console.log("\nbackup and restore, sql store on SQLite (one process per step; goal: RSS flat, < 200 MB)");
  for (const row of [header, widths.map((w) => "-".repeat(w)), ...rows])
    console.log(row.map((c, i) => c.padEnd(widths[i]!)).join("  "));
} else {
  const [dir, extra] = process.argv.slice(3) as [string, string];
  const client = createClient({
    env: { COFFER_DATA_DIR: dir, COFFER_USER: "bench", COFFER_LOG_LEVEL: "error" },
  });
  const started = performance.now();
  if (step === "seed") {
    for (let i = 0; i < Number(extra); i++) {
      await client.create({
        name: `bench/${i}`,
        values: { user: `fake-user-${i}`, password: `fake-password-${i}-${"x".repeat(40)}` },
        private: i % 2 === 0,
      });
    }
  } else if (step === "backup") {
    const output = createWriteStream(extra);
    await client.backup(output, { encryption: { recipients: [process.env.BENCH_RECIPIENT!] } });
    output.end();
    await finished(output);
  } else if (step === "restore" || step === "restore-1") {
    const report = await client.restore(() => createReadStream(extra), {
      decryption: { identities: [process.env.BENCH_IDENTITY!] },
      ...(step === "restore-1" ? { concurrency: 1 } : {}),
    });
    if (report.verified !== report.archive.counts.secrets)
      throw new Error("restore did not verify every secret");
  }
  const seconds = (performance.now() - started) / 1000;
  await client.close();
  console.log(JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

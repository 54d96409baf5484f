// coffer backup / backup verify / restore end to end on the default local store (sql on SQLite),
// including a restore killed with SIGKILL half-way and run again: nothing lost, nothing
// duplicated. Remote mode runs the same file against a server.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type RunningEmulator, startAwsEmulator } from "@coffer/emulators";
import { afterAll, describe, expect, it } from "vitest";
import { cofferAsync, cofferEnv, cofferInTerminal, MODE, session, startCoffer, tempDir } from "./helpers.js";

// A fixed test key pair (age X25519), made for these tests only.
const IDENTITY = "AGE-SECRET-KEY-17FPFMWN5CTD87839GU3ETFSJQJW98C5DUGAR7GL6WRYFMDTLHWSSAK84X6";
const RECIPIENT = "age1ue4dqcvpq6g8ef8h857uypavt23rq203lqued9m80ym5dqfzcalsf6prtr";
const work = tempDir("coffer-backup-");
const keyFile = path.join(work, "key.txt");
writeFileSync(keyFile, `${IDENTITY}\n`);

type Source = ReturnType<typeof session>;

function seed(source: Source, count: number): void {
  for (let i = 0; i < count; i++) {
    const user = i % 3 === 0 ? "bob" : "alice";
    source.ok(["secret", "create", `svc/${i}`, `--password=fake-pw-${i}`, "--private", String(i % 2 === 0)], {
      env: { COFFER_USER: user },
    });
  }
}

/** What each user sees: name, owner, visibility and values, sorted. */
function contents(target: Source): string[] {
  const seen: string[] = [];
  for (const user of ["alice", "bob"]) {
    const list = JSON.parse(
      target.ok(["secret", "list", "--all", "--json"], { env: { COFFER_USER: user } }),
    ) as {
      items: Array<{ name: string; owner: string; private: boolean }>;
    };
    for (const item of list.items) {
      if (!item.private && user === "bob") continue; // public ones are listed once, under alice
      const got = JSON.parse(
        target.ok(["secret", "get", item.name, "--private", String(item.private), "--json"], {
          env: { COFFER_USER: user },
        }),
      ) as { values: Record<string, string> };
      seen.push(
        `${item.owner} ${item.private ? "private" : "public"} ${item.name} ${JSON.stringify(got.values)}`,
      );
    }
  }
  return seen.sort();
}

/**
 * Where a restore goes: a fresh deployment locally; remotely the same server emptied, since owners
 * are the server's user ids and another server's users have other ids.
 */
function emptyTarget(source: Source): Source {
  if (MODE === "local") return session();
  for (const user of ["alice", "bob"]) {
    const list = JSON.parse(
      source.ok(["secret", "list", "--all", "--json"], { env: { COFFER_USER: user } }),
    ) as {
      items: Array<{ name: string; private: boolean }>;
    };
    for (const item of list.items)
      source.ok(["secret", "delete", item.name, "--private", String(item.private), "-y"]);
  }
  return source;
}

const running: RunningEmulator[] = [];
afterAll(async () => {
  await Promise.all(running.map((emulator) => emulator.stop()));
});

describe("coffer backup and restore", () => {
  it.skipIf(MODE === "remote")(
    "round-trips on the aws store (emulated), history included",
    async () => {
      // The emulator runs in this process: every command runs asynchronously so that it can answer.
      const aws = await startAwsEmulator();
      running.push(aws);
      const settings = {
        COFFER_STORE_TYPE: "aws",
        COFFER_STORE_REGION: "us-east-1",
        COFFER_STORE_ENDPOINT: aws.url,
        COFFER_STORE_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKEFAKE",
        COFFER_STORE_SECRET_ACCESS_KEY: "not-a-real-secret-access-key",
        AWS_EC2_METADATA_DISABLED: "true",
      };
      const deployment = () => {
        const env = cofferEnv(tempDir(), settings);
        return async (args: string[], user = "alice") => {
          const result = await cofferAsync(args, { env: { ...env, COFFER_USER: user } });
          expect(result.code, `coffer ${args.join(" ")}: ${result.stderr}`).toBe(0);
          return result.stdout;
        };
      };
      const everything = async (run: ReturnType<typeof deployment>) => {
        const seen: string[] = [];
        for (const user of ["alice", "bob"]) {
          const list = JSON.parse(await run(["secret", "list", "--all", "--json"], user)) as {
            items: Array<{ name: string; owner: string; private: boolean }>;
          };
          for (const item of list.items) {
            if (!item.private && user === "bob") continue;
            const got = JSON.parse(
              await run(["secret", "get", item.name, "--private", String(item.private), "--json"], user),
            );
            seen.push(`${item.owner} ${item.private} ${item.name} ${JSON.stringify(got.values)}`);
          }
        }
        return seen.sort();
      };
      const source = deployment();
      await source(["secret", "create", "db", "--password=fake-aws-1"]);
      await source(["secret", "update", "db", "--password=fake-aws-2"]);
      await source(["secret", "create", "mine", "--k=fake-aws-private", "--private", "true"], "bob");
      const file = path.join(work, "aws.age");
      const made = JSON.parse(
        await source(["backup", "-o", file, "--recipient", RECIPIENT, "--with-history", "--json"]),
      );
      expect(made.counts).toEqual({ secrets: 2, values: 2, historyVersions: 1 });
      const target = deployment();
      const report = JSON.parse(await target(["restore", file, "--identity-file", keyFile, "--json"]));
      expect(report).toMatchObject({ created: 2, verified: 2, historyVersions: 1 });
      expect(await everything(target)).toEqual(await everything(source));
      const first = JSON.parse(await target(["secret", "get", "db", "--version", "1", "--json"]));
      expect(first.values).toEqual({ password: "fake-aws-1" });
    },
    180_000,
  );

  it("backup -o, verify and restore into an empty deployment round-trip every secret", () => {
    const source = session();
    seed(source, 9);
    const file = path.join(work, "round.age");
    const made = JSON.parse(source.ok(["backup", "-o", file, "--recipient", RECIPIENT, "--json"])) as {
      counts?: { secrets: number };
    };
    if (MODE === "local") expect(made.counts?.secrets).toBe(9);
    expect(readFileSync(file).toString("latin1")).not.toContain("fake-pw");
    const verified = JSON.parse(source.ok(["backup", "verify", file, "--identity-file", keyFile, "--json"]));
    expect(verified.counts.secrets).toBe(9);

    const before = contents(source);
    const target = emptyTarget(source);
    expect(contents(target)).toEqual([]);
    const report = JSON.parse(target.ok(["restore", file, "--identity-file", keyFile, "--json"]));
    expect(report).toMatchObject({ created: 9, verified: 9 });
    expect(contents(target)).toEqual(before);
  }, 180_000);

  it.skipIf(MODE === "remote")(
    "on a terminal: asks the passphrase twice, hidden, and draws a progress bar",
    () => {
      const source = session();
      seed(source, 2);
      const file = path.join(work, "terminal.age");
      const typed = "fake-typed-passphrase";
      const result = cofferInTerminal(["backup", "-o", file], source.env, [
        { expect: "Backup passphrase: ", send: `${typed}\r` },
        { expect: "Again: ", send: `${typed}\r` },
        { expect: "sha256 ", send: "" },
      ]);
      expect(result.error).toBeUndefined();
      expect(result.exitCode).toBe(0);
      expect(result.transcript).not.toContain(typed);
      // Redrawn in place: carriage return, erase line (ESC [2K), the bar.
      expect(result.transcript).toContain("\r\u001b[2K[########################] backup  2/2 secrets");
      writeFileSync(path.join(work, "typed.txt"), `${typed}\n`);
      const verified = JSON.parse(
        source.ok(["backup", "verify", file, "--passphrase-file", path.join(work, "typed.txt"), "--json"]),
      );
      expect(verified.counts.secrets).toBe(2);
    },
    60_000,
  );

  it.skipIf(MODE === "remote")(
    "reports progress as plain lines, or JSON lines with --json, when not on a terminal",
    () => {
      const source = session();
      seed(source, 2);
      const plain = source.run(["backup", "-o", path.join(work, "plain.age"), "--recipient", RECIPIENT]);
      expect(plain.code).toBe(0);
      expect(plain.stderr).toMatch(/^backup {2}2\/2 secrets {2}\d+ B {2}\d+\/s {2}ETA 0s$/m);
      expect(plain.stderr).not.toContain("\r");
      expect(plain.stdout).toMatch(/^2 secrets, 2 values, 0 older versions\.\nsha256 [0-9a-f]{64}$/m);
      const json = source.run([
        "backup",
        "-o",
        path.join(work, "json.age"),
        "--recipient",
        RECIPIENT,
        "--json",
      ]);
      const lines = json.stderr
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { progress: { phase: string; done: number; total: number } });
      expect(lines.at(-1)?.progress).toMatchObject({ phase: "backup", done: 2, total: 2 });
    },
    60_000,
  );

  it("a tampered archive is refused (exit 10) and nothing is written", () => {
    const source = session();
    seed(source, 3);
    const file = path.join(work, "tampered.age");
    source.ok(["backup", "-o", file, "--recipient", RECIPIENT]);
    const bytes = readFileSync(file);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 1;
    writeFileSync(file, bytes);
    const target = emptyTarget(source);
    const run = target.run(["restore", file, "--identity-file", keyFile]);
    expect(run.code).toBe(10);
    expect(run.stderr).toContain("damaged");
    expect(contents(target)).toEqual([]);
  }, 120_000);

  it.skipIf(MODE === "remote")(
    "a restore killed with SIGKILL half-way resumes: nothing lost, nothing duplicated",
    async () => {
      const source = session();
      seed(source, 24);
      const file = path.join(work, "killed.age");
      source.ok(["backup", "-o", file, "--recipient", RECIPIENT]);

      const target = session();
      const child = startCoffer(["restore", file, "--identity-file", keyFile], {
        env: { ...target.env, COFFER_TEST_RESTORE_WRITE_DELAY_MS: "150" },
      });
      const exited = new Promise((resolve) => child.once("exit", resolve));
      // Wait until some secrets are journaled as done, then kill it without warning.
      const journalDone = () => {
        const journal = readdirSync(target.dataDir).find((name) => name.startsWith("restore-"));
        if (!journal) return 0;
        return readFileSync(path.join(target.dataDir, journal), "utf8")
          .split("\n")
          .filter((line) => line.startsWith("d ")).length;
      };
      const deadline = Date.now() + 60_000;
      while (journalDone() < 6 && Date.now() < deadline) await sleep(50);
      child.kill("SIGKILL");
      await exited;
      const partial = contents(target).length;
      expect(partial).toBeGreaterThanOrEqual(6);
      expect(partial).toBeLessThan(24);

      const report = JSON.parse(target.ok(["restore", file, "--identity-file", keyFile, "--json"]));
      expect(report.alreadyRestored + report.identical + report.created).toBe(24);
      expect(report.verified).toBe(24);
      expect(contents(target)).toEqual(contents(source));
    },
    120_000,
  );
});

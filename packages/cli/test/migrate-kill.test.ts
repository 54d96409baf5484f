// `coffer migrate` killed with SIGKILL at random points and run again until it finishes: every
// secret ends in the target with its values, none twice, and the last run's report accounts for
// each id once. sql (SQLite, the default store) -> aws (the emulator, in this process).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { type SecretsStore, silentLogger } from "@coffer/core";
import { loadConfig } from "@coffer/core/config";
import { type AwsEmulator, startAwsEmulator } from "@coffer/emulators";
import { openService } from "@coffer/service";
import { builtinStores } from "@coffer/stores";
import { afterAll, expect, it } from "vitest";
import { cofferAsync, cofferEnv, startCoffer, tempDir } from "./helpers.js";

const COUNT = 150;
let aws: AwsEmulator | undefined;
afterAll(async () => {
  await aws?.stop();
});

/** Every secret name in the emulator (ListSecrets, paged). */
async function awsNames(url: string): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "secretsmanager.ListSecrets",
        authorization:
          "AWS4-HMAC-SHA256 Credential=AKIAFAKEFAKEFAKEFAKE/20260101/us-east-1/secretsmanager/aws4_request",
      },
      body: JSON.stringify({ MaxResults: 100, ...(token ? { NextToken: token } : {}) }),
    });
    const page = (await response.json()) as { SecretList: Array<{ Name: string }>; NextToken?: string };
    names.push(...page.SecretList.map((secret) => secret.Name));
    token = page.NextToken;
  } while (token);
  return names;
}

it("a migration killed at random points and resumed loses nothing and duplicates nothing", async () => {
  aws = await startAwsEmulator();
  const dir = tempDir();
  const env = cofferEnv(dir, { AWS_EC2_METADATA_DISABLED: "true", COFFER_LOG_LEVEL: "error" });
  const config = await loadConfig({ registry: builtinStores(), env });
  const service = await openService(config, { logger: silentLogger });
  const owner = { id: "alice" };
  for (let i = 0; i < COUNT; i++) {
    await service.create(owner, {
      name: `svc-${i}`,
      values: { password: `fake-pw-${i}`, user: `fake-u-${i}` },
    });
  }
  const target = path.join(dir, "aws.yaml");
  writeFileSync(
    target,
    [
      "store:",
      "  type: aws",
      "  region: us-east-1",
      `  endpoint: ${aws.url}`,
      "  accessKeyId: AKIAFAKEFAKEFAKEFAKE",
      "  secretAccessKey: not-a-real-secret-access-key",
      "",
    ].join("\n"),
  );
  const args = ["--json", "migrate", "--to", target, "--batch-size", "5", "--concurrency", "2"];

  // A fixed sequence of delays (reproducible), each a kill -9 somewhere in start-up or the copy.
  const delays = [900, 1400, 1100, 1700, 1250, 2000];
  const killed: number[] = [];
  // On a fast machine a run can finish before its kill: the migration is then complete, and the
  // next run starts a new one over a target that has everything (nothing to resume).
  let finishedBeforeItsKill = false;
  for (const delay of delays) {
    const child = startCoffer(args, { env });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("close", (_c, s) => resolve(s)));
    await new Promise((resolve) => setTimeout(resolve, delay));
    child.kill("SIGKILL");
    if ((await exited) !== "SIGKILL") {
      finishedBeforeItsKill = true;
      break;
    }
    killed.push((await awsNames(aws.url)).length);
  }
  // At least some kills landed mid-copy (some secrets there, not all).
  expect(
    killed.some((n) => n > 0 && n < COUNT),
    `secrets in the target at each kill: ${killed}`,
  ).toBe(true);

  const last = await cofferAsync(args, { env });
  expect(last.code, last.stderr).toBe(0);
  const report = JSON.parse(last.stdout) as {
    resumed: boolean;
    copied: string[];
    already: string[];
    failed: unknown[];
    verified: number;
  };
  expect(report.resumed, `a run finished before its kill: ${finishedBeforeItsKill}`).toBe(
    !finishedBeforeItsKill,
  );
  expect(report.failed).toEqual([]);
  const accounted = [...report.copied, ...report.already];
  expect(accounted).toHaveLength(COUNT);
  expect(new Set(accounted).size).toBe(COUNT);
  expect(report.verified).toBe(COUNT);
  expect(last.stdout).not.toMatch(/fake-/);

  // In the target: each secret once, with its values.
  const names = await awsNames(aws.url);
  expect(names).toHaveLength(COUNT);
  expect(new Set(names).size).toBe(COUNT);
  const registration = await builtinStores().get("aws");
  const store: SecretsStore = registration.create(
    registration.optionsSchema.parse({
      region: "us-east-1",
      endpoint: aws.url,
      accessKeyId: "AKIAFAKEFAKEFAKEFAKE",
      secretAccessKey: "not-a-real-secret-access-key",
    }),
    {
      deploymentId: service.deploymentId,
      dataDir: dir,
      databaseUrl: config.databaseUrl,
      logger: silentLogger,
    },
  );
  await store.init();
  const page = await service.list(owner, { limit: 500 });
  expect(page.items).toHaveLength(COUNT);
  const copies = await store.getMany(page.items.map((item) => item.id));
  for (const item of page.items) {
    expect(copies.get(item.id)).toEqual((await service.get(owner, { id: item.id })).values);
  }
  await store.close();
  await service.close();
}, 180_000);

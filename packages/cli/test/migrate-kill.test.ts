// `coffer migrate` killed with SIGKILL at fixed points of the copy and run again until it finishes: every
// secret ends in the target with its values, none twice, and the last run's report accounts for
// each id once. sql (SQLite, the default store) -> aws (the emulator, in this process).
import { writeFileSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
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
let proxy: KillingProxy | undefined;
afterAll(async () => {
  await proxy?.close();
  await aws?.stop();
});

interface KillingProxy {
  url: string;
  /** Calls `kill` when the `creates`-th CreateSecret from now arrives, and drops that request. */
  killAt(creates: number, kill: () => void): void;
  close(): Promise<void>;
}

/** Forwards every request to the emulator, counting CreateSecret calls for killAt. */
async function startKillingProxy(target: string): Promise<KillingProxy> {
  let remaining = Number.POSITIVE_INFINITY;
  let onKill = () => {};
  const server = createServer((incoming, outgoing) => {
    if (incoming.headers["x-amz-target"] === "secretsmanager.CreateSecret" && --remaining === 0) {
      onKill();
      incoming.socket.destroy();
      return;
    }
    const forwarded = httpRequest(
      new URL(incoming.url ?? "/", target),
      { method: incoming.method, headers: incoming.headers },
      (reply) => {
        outgoing.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(outgoing);
      },
    );
    forwarded.on("error", () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    killAt(creates, kill) {
      remaining = creates;
      onKill = kill;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

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

it("a migration killed at fixed points of the copy and resumed loses nothing and duplicates nothing", async () => {
  aws = await startAwsEmulator();
  proxy = await startKillingProxy(aws.url);
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
      `  endpoint: ${proxy.url}`,
      "  accessKeyId: AKIAFAKEFAKEFAKEFAKE",
      "  secretAccessKey: not-a-real-secret-access-key",
      "",
    ].join("\n"),
  );
  const args = ["--json", "migrate", "--to", target, "--batch-size", "5", "--concurrency", "2"];

  // Each run is killed (SIGKILL) when its k-th CreateSecret reaches the target, before the target
  // sees it: a kill mid-copy whatever the machine's speed (a timed kill missed on a fast one).
  const createsBeforeKill = [7, 23, 15, 31, 12];
  const killed: number[] = [];
  for (const creates of createsBeforeKill) {
    const child = startCoffer(args, { env });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("close", (_c, s) => resolve(s)));
    proxy.killAt(creates, () => child.kill("SIGKILL"));
    expect(await exited, "each run is killed before it finishes").toBe("SIGKILL");
    killed.push((await awsNames(aws.url)).length);
  }
  console.log(`[migrate-kill] secrets in the target after each kill: ${killed.join(", ")}`);
  // Every kill landed mid-copy: more secrets in the target each time, never all of them.
  expect(
    killed.every((n, i) => n > 0 && n < COUNT && n >= (killed[i - 1] ?? 0)),
    `${killed}`,
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
  expect(report.resumed).toBe(true);
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

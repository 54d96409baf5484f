import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { KeyManagementServiceClient } from "@google-cloud/kms";
import { googleAuthLibrary, grpc } from "google-gax";
import vaultFactory from "node-vault";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

// The CLI runs as its published form, dist/cli.js; `./dev test` builds it before running tests.
const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the package first (./dev build)`);
});

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

function run(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  /** Resolves with the first stdout line matching `pattern`; rejects if the process exits first. */
  const line = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = stdout.match(pattern);
        if (match) resolve(match);
      };
      child.stdout?.on("data", check);
      check();
      exited.then(() => reject(new Error(`exited before printing ${pattern}; stderr: ${stderr}`)));
    });
  return { child, line, exited, output: () => ({ stdout, stderr }) };
}

describe("coffer-emulator CLI", () => {
  it("aws: prints 'aws emulator listening on <url>', serves the SDK, and exits 0 on SIGTERM", async () => {
    const cli = run(["aws", "--port", "0", "--region", "eu-west-1", "--account-id", "111122223333"]);
    const [, url] = await cli.line(/^aws emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/m);
    const client = new SecretsManagerClient({
      endpoint: url,
      region: "eu-west-1",
      credentials: { accessKeyId: "AKIAFAKEFAKEFAKE0000", secretAccessKey: "not-a-real-secret-key" },
      maxAttempts: 1,
    });
    try {
      const created = await client.send(new CreateSecretCommand({ Name: "cli", SecretString: "fake-1" }));
      expect(created.ARN).toMatch(/^arn:aws:secretsmanager:eu-west-1:111122223333:secret:cli-/);
      expect((await client.send(new GetSecretValueCommand({ SecretId: "cli" }))).SecretString).toBe("fake-1");
    } finally {
      client.destroy();
    }
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
  });

  it("vault: --root-token and repeated --mount configure the emulator; SIGINT stops it with exit 0", async () => {
    const cli = run([
      "vault",
      "--root-token",
      "not-a-real-root-token",
      "--mount",
      "kv",
      "--mount",
      "team/kv",
    ]);
    const [, url] = await cli.line(/^vault emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/m);
    const vault = vaultFactory({ apiVersion: "v1", endpoint: url, token: "not-a-real-root-token" });
    await vault.write("team/kv/data/app", { data: { a: "1" } });
    expect((await vault.list("team/kv/metadata/")).data.keys).toEqual(["app"]);
    await expect(vault.read("secret/data/app")).rejects.toMatchObject({ response: { statusCode: 404 } });
    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(0);
  });

  it("gcp-kms: --project-id pins the project (another is PERMISSION_DENIED); the official client works over gRPC", async () => {
    const cli = run(["gcp-kms", "--project-id", "cli-project"]);
    const [, port] = await cli.line(/^gcp-kms emulator listening on 127\.0\.0\.1:(\d+)$/m);
    const kms = new KeyManagementServiceClient({
      apiEndpoint: "127.0.0.1",
      port: Number(port),
      sslCreds: grpc.credentials.createInsecure(),
      authClient: new googleAuthLibrary.PassThroughClient(),
    });
    try {
      const [ring] = await kms.createKeyRing({
        parent: "projects/cli-project/locations/global",
        keyRingId: "r",
        keyRing: {},
      });
      expect(ring.name).toBe("projects/cli-project/locations/global/keyRings/r");
      await expect(
        kms.createKeyRing({ parent: "projects/other/locations/global", keyRingId: "r", keyRing: {} }),
      ).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    } finally {
      await kms.close();
    }
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
  });

  it("--port binds the given port", async () => {
    // Find a free port by letting the OS pick, then ask the CLI for it.
    const probe = run(["aws", "--port", "0"]);
    const [, port] = await probe.line(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    probe.child.kill("SIGTERM");
    await probe.exited;
    const cli = run(["aws", "--port", String(port)]);
    await cli.line(new RegExp(`listening on http://127\\.0\\.0\\.1:${port}$`, "m"));
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
  });

  it("an unknown emulator name, an unknown flag, or a bad port exits 2 with a message on stderr", async () => {
    for (const args of [["nope"], ["aws", "--bogus"], ["vault", "--port", "http"], []]) {
      const cli = run(args);
      expect(await cli.exited).toBe(2);
      expect(cli.output().stderr + cli.output().stdout).toMatch(/Usage: coffer-emulator/);
      expect(cli.output().stdout).not.toMatch(/listening on/);
    }
  });
});

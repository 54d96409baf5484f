// The bundled command on the cloud stores, which it loads from node_modules when configured (their
// SDKs cannot be bundled; see build.mjs) and hands the bundle's @coffer/core. The emulators run in
// this process on 127.0.0.1; credentials are fake and static, so no SDK looks for real ones.
import {
  type RunningEmulator,
  startAwsEmulator,
  startGcpEmulator,
  startVaultEmulator,
} from "@coffer/emulators";
import { afterAll, describe, expect, it } from "vitest";
import { cofferAsync, cofferEnv, session, tempDir } from "./helpers.js";

const running: RunningEmulator[] = [];
afterAll(async () => {
  await Promise.all(running.map((emulator) => emulator.stop()));
});

/** Create, read, update and delete one secret through the command on the given store settings. */
async function roundTrip(settings: Record<string, string>) {
  const env = cofferEnv(tempDir(), settings);
  const ok = async (args: string[]) => {
    const result = await cofferAsync(args, { env });
    expect(result.stderr, `coffer ${args.join(" ")}`).toBe("");
    expect(result.code).toBe(0);
    return result.stdout;
  };
  expect(await ok(["store", "info"])).toMatch(/status: ready\n$/);
  await ok(["secret", "create", "db", "--username=app", "--password=fake-cloud-password"]);
  expect(await ok(["secret", "get", "db", "--key", "password"])).toBe("fake-cloud-password\n");
  await ok(["secret", "update", "db", "--password=fake-cloud-password-2"]);
  expect(await ok(["secret", "get", "db", "--key", "password"])).toBe("fake-cloud-password-2\n");
  await ok(["secret", "delete", "db", "-y"]);
  expect((await cofferAsync(["secret", "get", "db"], { env })).code).toBe(3);
}

describe("the bundled command on cloud stores (emulated)", () => {
  it("aws", async () => {
    const aws = await startAwsEmulator();
    running.push(aws);
    await roundTrip({
      COFFER_STORE_TYPE: "aws",
      COFFER_STORE_REGION: "us-east-1",
      COFFER_STORE_ENDPOINT: aws.url,
      COFFER_STORE_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKEFAKE",
      COFFER_STORE_SECRET_ACCESS_KEY: "not-a-real-secret-access-key",
      AWS_EC2_METADATA_DISABLED: "true",
    });
  });

  it("vault", async () => {
    const vault = await startVaultEmulator({ rootToken: "not-a-real-root-token" });
    running.push(vault);
    await roundTrip({
      COFFER_STORE_TYPE: "vault",
      COFFER_STORE_ADDRESS: vault.url,
      COFFER_STORE_TOKEN: "not-a-real-root-token",
    });
  });

  it("gcp", async () => {
    const gcp = await startGcpEmulator();
    running.push(gcp);
    await roundTrip({
      COFFER_STORE_TYPE: "gcp",
      COFFER_STORE_PROJECT: "coffer-test",
      COFFER_STORE_API_ENDPOINT: "127.0.0.1",
      COFFER_STORE_PORT: String(gcp.port),
      COFFER_STORE_INSECURE: "true",
      METADATA_SERVER_DETECTION: "none",
    });
  });

  it("azure: the store loads and checks its options (no credentials: exit 6)", () => {
    // Real Azure credentials talk to Entra ID, so this stops at the configuration check, after
    // the store's module (and its SDK) has loaded.
    const s = session({ COFFER_STORE_TYPE: "azure", COFFER_STORE_VAULT_URL: "https://127.0.0.1:1" });
    const result = s.run(["store", "info"]);
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/^error: The 'azure' store has no credentials\. Set clientSecret/);
  });
});

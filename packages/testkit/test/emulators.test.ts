// Each emulator kind starts as a container and answers its protocol's first question. CI runs
// Coffer's own emulator image (COFFER_TEST_<KIND>_IMAGE); elsewhere the upstream images.
import { Agent, fetch as undiciFetch } from "undici";
import { expect, it } from "vitest";
import { startEmulator } from "../src/index.js";
import { describeWith } from "../src/vitest.js";

describeWith(
  "aws emulator",
  () => startEmulator("aws"),
  (emulator) => {
    it("answers ListSecrets over AWS JSON 1.1", async () => {
      const response = await fetch(`${emulator().endpoint}/`, {
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": "secretsmanager.ListSecrets",
          authorization:
            "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=fake",
        },
        body: "{}",
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ SecretList: [] });
    });
  },
);

describeWith(
  "vault emulator",
  () => startEmulator("vault"),
  (emulator) => {
    it("reports itself initialised and unsealed, and refuses a bad token with 403", async () => {
      const health = await fetch(`${emulator().endpoint}/v1/sys/health`);
      expect(await health.json()).toMatchObject({ initialized: true, sealed: false });
      const denied = await fetch(`${emulator().endpoint}/v1/secret/data/x`, {
        headers: { "x-vault-token": "wrong" },
      });
      expect(denied.status).toBe(403);
      const allowed = await fetch(`${emulator().endpoint}/v1/auth/token/lookup-self`, {
        headers: { "x-vault-token": emulator().vaultToken! },
      });
      expect(allowed.status).toBe(200);
    });
  },
);

describeWith(
  "gcp emulator",
  () => startEmulator("gcp"),
  (emulator) => {
    // A TCP connection only: the gRPC calls themselves are the gcp store's tests (store-gcp).
    it("accepts TCP connections on its gRPC endpoint", async () => {
      const { connect } = await import("node:net");
      const [host, port] = emulator().endpoint.split(":");
      await new Promise<void>((resolve, reject) => {
        const socket = connect(Number(port), host!, () => {
          socket.end();
          resolve();
        });
        socket.once("error", reject);
      });
    });
  },
);

describeWith(
  "azure emulator",
  () => startEmulator("azure"),
  (emulator) => {
    it("serves HTTPS and answers an unauthenticated request with the bearer challenge", async () => {
      const dispatcher = emulator().certificatePem
        ? new Agent({ connect: { ca: emulator().certificatePem } })
        : new Agent({ connect: { rejectUnauthorized: false } });
      const response = await undiciFetch(`${emulator().endpoint}/secrets?api-version=7.5`, { dispatcher });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
    });
  },
);

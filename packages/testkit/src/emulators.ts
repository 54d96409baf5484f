/**
 * Cloud-backend emulators as Testcontainers targets, for the store packages' tests.
 *
 * By default each kind runs a well-known upstream emulator image (what users with a registry get):
 * moto for AWS, Vault itself in dev mode, blackwell-systems' GCP Secret Manager emulator, Lowkey
 * Vault for Azure. `COFFER_TEST_<KIND>_IMAGE` replaces the image; an image built from
 * packages/emulators (`scripts/build-image.sh emulators`, any name containing
 * "coffer/emulators") is started with Coffer's own emulator command — that is what CI does,
 * since it reaches no registry.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { generate } from "selfsigned";
import { type ContainerSpec, type RunningContainer, startContainer } from "./container.js";
import { imageFor } from "./settings.js";

export type EmulatorKind = "aws" | "vault" | "gcp" | "azure";

export interface RunningEmulatorContainer extends RunningContainer {
  kind: EmulatorKind;
  /** "coffer" for our own emulator image, "upstream" for the default third-party one. */
  flavour: "coffer" | "upstream";
  /** Where clients connect: an http(s) URL, or host:port for gRPC (GCP). */
  endpoint: string;
  /** Vault: the root token the container was started with. */
  vaultToken?: string;
  /** Azure: the PEM of the certificate the container serves, when known (ours: always). */
  certificatePem?: string;
}

const UPSTREAM: Record<EmulatorKind, string> = {
  aws: "motoserver/moto:5.1.0",
  vault: "hashicorp/vault:1.20",
  gcp: "ghcr.io/blackwell-systems/gcp-secret-manager-emulator:latest",
  azure: "nagyesta/lowkey-vault:2.7.1",
};

export const EMULATOR_IMAGE_ENV: Record<EmulatorKind, string> = {
  aws: "COFFER_TEST_AWS_IMAGE",
  vault: "COFFER_TEST_VAULT_IMAGE",
  gcp: "COFFER_TEST_GCP_IMAGE",
  azure: "COFFER_TEST_AZURE_IMAGE",
};

const VAULT_TOKEN = "not-a-real-root-token";

export function isCofferEmulatorImage(image: string): boolean {
  return image.includes("coffer/emulators") || image.includes("coffer-emulators");
}

/** Starts an emulator container of `kind`; throws NotAvailable without Docker. */
export async function startEmulator(kind: EmulatorKind): Promise<RunningEmulatorContainer> {
  const image = imageFor(EMULATOR_IMAGE_ENV[kind], UPSTREAM[kind]);
  const ours = isCofferEmulatorImage(image);
  const { spec, endpoint, extras } = ours ? await cofferSpec(kind) : upstreamSpec(kind);
  const running = await startContainer({
    ...spec,
    name: `${kind} emulator`,
    image: UPSTREAM[kind],
    imageEnv: EMULATOR_IMAGE_ENV[kind],
  });
  return { ...running, kind, flavour: ours ? "coffer" : "upstream", endpoint: endpoint(running), ...extras };
}

type SpecParts = {
  spec: Omit<ContainerSpec, "name" | "image" | "imageEnv">;
  endpoint: (running: RunningContainer) => string;
  extras: Partial<RunningEmulatorContainer>;
};

async function cofferSpec(kind: EmulatorKind): Promise<SpecParts> {
  const ready = { log: new RegExp(`${kind} emulator listening on`) };
  switch (kind) {
    case "aws":
      return {
        spec: { port: 4566, command: ["aws", "--port", "4566"], ready },
        endpoint: (r) => r.url,
        extras: {},
      };
    case "vault":
      return {
        spec: { port: 8200, command: ["vault", "--port", "8200", "--root-token", VAULT_TOKEN], ready },
        endpoint: (r) => r.url,
        extras: { vaultToken: VAULT_TOKEN },
      };
    case "gcp":
      return {
        spec: { port: 9090, command: ["gcp", "--port", "9090"], ready },
        endpoint: (r) => `${r.host}:${r.port}`,
        extras: {},
      };
    case "azure": {
      // Our own certificate, copied in, so the tests can trust exactly it.
      const tls = await certificateFor(["localhost", "127.0.0.1"]);
      return {
        spec: {
          port: 8443,
          command: [
            "azure",
            "--port",
            "8443",
            "--tls-cert-file",
            "/tmp/tls/cert.pem",
            "--tls-key-file",
            "/tmp/tls/key.pem",
          ],
          files: [
            { source: tls.certFile, target: "/tmp/tls/cert.pem" },
            { source: tls.keyFile, target: "/tmp/tls/key.pem" },
          ],
          ready,
        },
        endpoint: (r) => `https://${r.host}:${r.port}`,
        extras: { certificatePem: tls.cert },
      };
    }
  }
}

function upstreamSpec(kind: EmulatorKind): SpecParts {
  switch (kind) {
    case "aws":
      return { spec: { port: 5000, ready: { http: "/moto-api/" } }, endpoint: (r) => r.url, extras: {} };
    case "vault":
      return {
        spec: {
          port: 8200,
          env: { VAULT_DEV_ROOT_TOKEN_ID: VAULT_TOKEN, VAULT_DEV_LISTEN_ADDRESS: "0.0.0.0:8200" },
          customize: (container) => container.withAddedCapabilities("IPC_LOCK"),
          ready: { http: "/v1/sys/health" },
        },
        endpoint: (r) => r.url,
        extras: { vaultToken: VAULT_TOKEN },
      };
    case "gcp":
      return {
        spec: { port: 9090, ready: { port: true } },
        endpoint: (r) => `${r.host}:${r.port}`,
        extras: {},
      };
    case "azure":
      return {
        spec: { port: 8443, ready: { log: /Started LowkeyVaultApp/ }, startupTimeoutMs: 120_000 },
        endpoint: (r) => `https://${r.host}:${r.port}`,
        extras: {},
      };
  }
}

async function certificateFor(names: string[]): Promise<{ cert: string; certFile: string; keyFile: string }> {
  const now = Date.now();
  const pems = await generate([{ name: "commonName", value: names[0]! }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 2 * 86_400_000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: names.map((name) =>
          isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name },
        ),
      },
    ],
  });
  const dir = mkdtempSync(path.join(tmpdir(), "coffer-testkit-tls-"));
  const certFile = path.join(dir, "cert.pem");
  const keyFile = path.join(dir, "key.pem");
  writeFileSync(certFile, pems.cert);
  // The container runs as uid 1000 and must read the key; it is a throwaway test key.
  writeFileSync(keyFile, pems.private, { mode: 0o644 });
  return { cert: pems.cert, certFile, keyFile };
}

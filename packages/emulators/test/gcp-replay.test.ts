// Secret Manager behaviours stated in the service's own definition (googleapis' service.proto and
// resources.proto), re-expressed as fixtures in test/fixtures/gcp and checked through the official
// client over gRPC. Google publishes no recorded exchanges for Secret Manager; the protos' comments
// are the contract the client is generated from.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { grpc } from "google-gax";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GcpEmulator } from "../src/gcp/index.js";
import { noRetry, startEmulatorAndClient, stopEmulatorAndClient } from "./gcp-helpers.js";
import { fill, mismatches, type Vars } from "./replay/match.js";

interface Call {
  method: string;
  request: Record<string, unknown>;
  /** The expected gRPC status name when the call fails. */
  code?: string;
  /** The members of the answer that matter (others are ignored: protobuf fills in defaults). */
  response?: unknown;
}
interface GcpFixture {
  file: string;
  title: string;
  source: string;
  calls: Call[];
}

const dir = join(import.meta.dirname, "fixtures", "gcp");
const fixtures: GcpFixture[] = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((file) => ({ file, ...JSON.parse(readFileSync(join(dir, file), "utf8")) }));

let emulator: GcpEmulator;
let client: SecretManagerServiceClient;

beforeAll(async () => {
  ({ emulator, client } = await startEmulatorAndClient());
});
afterAll(() => stopEmulatorAndClient(emulator, client));

/** Payload data: text as UTF-8, or "<bytes:N>" for N bytes of filler. */
function prepare(request: Record<string, unknown>): Record<string, unknown> {
  const payload = request.payload as { data?: string } | undefined;
  if (typeof payload?.data !== "string") return request;
  const sized = /^<bytes:(\d+)>$/.exec(payload.data);
  const data = sized ? Buffer.alloc(Number(sized[1]), 0x61) : Buffer.from(payload.data, "utf8");
  return { ...request, payload: { ...payload, data } };
}

/** The answer cut down to the expected members, with bytes as text, so mismatches() can compare. */
function project(expected: unknown, actual: unknown): unknown {
  if (actual instanceof Uint8Array) return Buffer.from(actual).toString("utf8");
  if (Array.isArray(expected) && Array.isArray(actual)) {
    return actual.map((item, i) => project(expected[i] ?? expected[0], item));
  }
  if (expected && typeof expected === "object" && actual && typeof actual === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(expected)) {
      if (key in actual) out[key] = project((expected as never)[key], (actual as never)[key]);
    }
    return out;
  }
  return actual;
}

describe("Secret Manager behaviours from the service definition, checked against the emulator", () => {
  for (const [index, fixture] of fixtures.entries()) {
    it(`${fixture.title} (${fixture.file})`, async () => {
      const id = `replay-${index}-${Date.now().toString(36)}`;
      const vars: Vars = {
        project: `projects/replay-${index}`,
        id,
        id255: `${id}-`.padEnd(255, "x"),
      };
      const problems: string[] = [];
      for (const [n, call] of fixture.calls.entries()) {
        const request = prepare(fill(call.request, vars));
        const label = `#${n + 1} ${call.method}`;
        const method = (client as unknown as Record<string, (r: unknown, o: unknown) => Promise<unknown[]>>)[
          call.method
        ]!.bind(client);
        try {
          const [answer] = await method(request, noRetry);
          if (call.code) problems.push(`${label}: succeeded, expected ${call.code}`);
          else if (call.response !== undefined) {
            const found = mismatches(call.response, project(call.response, answer), vars);
            problems.push(...found.map((line) => `${label}: ${line}`));
          }
        } catch (error) {
          const code = (error as { code?: number }).code;
          const name = code === undefined ? String(error) : grpc.status[code];
          if (call.code !== name)
            problems.push(`${label}: failed with ${name}, expected ${call.code ?? "OK"}`);
        }
      }
      expect(problems, `source: ${fixture.source}`).toEqual([]);
    });
  }
});

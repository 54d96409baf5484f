// Remote mode: the client against a running Coffer server (metadata and encrypted values in
// SQLite, over a real socket), one API token per user. The service-level suite runs unchanged,
// so remote mode must behave — errors included — exactly as local mode does.
import { describeServiceConformance } from "@coffer/conformance";
import {
  BackendUnavailableError,
  InvalidConfigError,
  PermissionDeniedError,
  SecretNotFoundError,
} from "@coffer/core";
import type { RunningServer } from "@coffer/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CofferClient, createClient } from "../src/index.js";
import { startTestServer } from "./remote-server.js";

async function tokenFor(
  server: RunningServer,
  user: string,
  role: "reader" | "value-reader" | "writer" | "admin",
) {
  await server.identity.createUser(user, role).catch(() => undefined);
  return (await server.identity.issueToken(user)).token;
}

describeServiceConformance("client (remote, against a running server)", {
  async open() {
    const server = await startTestServer();
    const clients = new Map<string, CofferClient>();
    for (const user of ["alice", "bob", "carol"]) {
      clients.set(user, createClient({ url: server.url, token: await tokenFor(server, user, "writer") }));
    }
    const info = await clients.get("alice")!.storeInfo();
    return {
      session: (user) => clients.get(user)!,
      maxValueBytes: info.store.capabilities.maxValueBytes,
      close: () => server.close(),
    };
  },
});

describe("remote mode", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("is chosen by COFFER_URL and COFFER_TOKEN, and needs both", async () => {
    const token = await tokenFor(server, "env-user", "writer");
    const client = createClient({ env: { COFFER_URL: server.url, COFFER_TOKEN: token } });
    expect(client.mode).toBe("remote");
    expect((await client.storeInfo()).user).toBe("env-user");
    const half = createClient({ env: { COFFER_URL: server.url } });
    await expect(half.list()).rejects.toBeInstanceOf(InvalidConfigError);
    await expect(half.list()).rejects.toThrow(/the token is missing/);
  });

  it("gives a reader metadata but refuses values with PermissionDeniedError", async () => {
    const writer = createClient({ url: server.url, token: await tokenFor(server, "w1", "writer") });
    const reader = createClient({ url: server.url, token: await tokenFor(server, "r1", "reader") });
    await writer.create({ name: "shared-db", values: { password: "fake-pw" } });
    expect((await reader.getMetadata({ name: "shared-db" })).keys).toEqual(["password"]);
    await expect(reader.get({ name: "shared-db" })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(reader.create({ name: "x", values: {} })).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it("turns server errors back into the same typed errors", async () => {
    const client = createClient({ url: server.url, token: await tokenFor(server, "w2", "writer") });
    await expect(client.get({ name: "never-made" })).rejects.toBeInstanceOf(SecretNotFoundError);
    const bad = createClient({ url: server.url, token: `coffer_aaaaaaaaaaaa_${"x".repeat(43)}` });
    await expect(bad.list()).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("reports an unreachable server as a retryable BackendUnavailableError", async () => {
    const client = createClient({
      url: "http://127.0.0.1:9",
      token: `coffer_aaaaaaaaaaaa_${"x".repeat(43)}`,
    });
    const error = await client.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).retryable).toBe(true);
  });
});

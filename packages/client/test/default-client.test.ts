// The one default client behind Secret(name): set with setDefaultClient() or made from the
// environment (COFFER_URL/COFFER_TOKEN → remote, else local; configureSecrets stands in for the
// environment here), and never a silent second store. Remote cases run against a real server.
import { InvalidConfigError } from "@coffer/core";
import type { RunningServer } from "@coffer/server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type CofferClient,
  closeSecrets,
  configureSecrets,
  createClient,
  Secret,
  setDefaultClient,
} from "../src/index.js";
import { localEnv, tempDir } from "./helpers.js";
import { startTestServer } from "./remote-server.js";

let server: RunningServer;
let token: string;
const open: CofferClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
  await server.identity.createUser("sdk-user", "writer");
  token = (await server.identity.issueToken("sdk-user")).token;
  const writer = createClient({ url: server.url, token });
  await writer.put("api", { token: "fake-remote-token" });
  await writer.close();
});
afterAll(() => server.close());
afterEach(async () => {
  await closeSecrets();
  await Promise.all(open.splice(0).map((client) => client.close()));
});

function made(client: CofferClient): CofferClient {
  open.push(client);
  return client;
}

/** A local default from the environment, on a data directory where "api" holds a local value. */
async function localDefaultWithApi(): Promise<void> {
  const env = localEnv(tempDir());
  const local = made(createClient({ user: "alice", env }));
  await local.put("api", { token: "fake-local-token" });
  await configureSecrets({ user: "alice", env });
}

describe("Secret() and the default client", () => {
  it("refuses to read the local store while this program made a remote client it did not set as default", async () => {
    await localDefaultWithApi();
    made(createClient({ url: server.url, token }));
    const error = await Secret("api")
      .get("token")
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).oneLine).toBe(
      `Secret() would read the local store, but this program made a client for the server ${server.url}. Call setDefaultClient(client) with the client Secret() should use, or set COFFER_URL and COFFER_TOKEN to that server.`,
    );
  });

  it("reads through the client given to setDefaultClient()", async () => {
    await localDefaultWithApi();
    await closeSecrets();
    const remote = made(createClient({ url: server.url, token }));
    setDefaultClient(remote);
    expect(await Secret("api").get("token")).toBe("fake-remote-token");
    expect(await Secret("api").exists()).toBe(true);
    // The program keeps owning it: closeSecrets() forgets it and leaves it open.
    await closeSecrets();
    expect(await remote.secret("api").get("token")).toBe("fake-remote-token");
  });

  it("refuses a second, different default until closeSecrets()", async () => {
    const first = made(createClient({ url: server.url, token }));
    const second = made(createClient({ user: "alice", env: localEnv(tempDir()) }));
    setDefaultClient(first);
    setDefaultClient(first); // the same one again is fine
    expect(() => setDefaultClient(second)).toThrow(InvalidConfigError);
    expect(() => setDefaultClient(second)).toThrow(
      /already has a default client \(the server .*\); a second one \(the local store\)/,
    );
    await expect(configureSecrets({})).rejects.toBeInstanceOf(InvalidConfigError);
    await closeSecrets();
    setDefaultClient(second);
  });

  it("from the environment: COFFER_URL and COFFER_TOKEN make the default remote", async () => {
    made(createClient({ url: `${server.url}/`, token })); // the same server: no conflict
    await configureSecrets({ env: { COFFER_URL: server.url, COFFER_TOKEN: token } });
    expect(await Secret("api").get("token")).toBe("fake-remote-token");
  });

  it("from the environment: without COFFER_URL the default is the local store", async () => {
    await localDefaultWithApi();
    expect(await Secret("api").get("token")).toBe("fake-local-token");
  });

  it("a default from the environment on another server than a client this program made is refused", async () => {
    made(createClient({ url: server.url, token }));
    await configureSecrets({ env: { COFFER_URL: "http://127.0.0.1:9", COFFER_TOKEN: token } });
    await expect(Secret("api").get()).rejects.toThrow(
      `Secret() would read the server http://127.0.0.1:9, but this program made a client for the server ${server.url}.`,
    );
  });
});

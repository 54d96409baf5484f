// Offline mode against a running server: values fetched while it answers are kept in an encrypted
// file and served while it cannot be reached — for at most maxStalenessMs, marked stale and
// logged — never on a refusal, never from an altered file, and the file holds no plaintext.
import { createDecipheriv, hkdfSync } from "node:crypto";
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { inspect } from "node:util";
import type { Logger } from "@coffer/core";
import type { RunningServer } from "@coffer/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BackendUnavailableError,
  type CofferClient,
  createClient,
  IntegrityError,
  InvalidConfigError,
  SecretNotFoundError,
  StaleSecret,
} from "../src/index.js";
import { type CountingProxy, startCountingProxy } from "./counting-proxy.js";
import { freshClient, tempDir } from "./helpers.js";
import { startTestServer } from "./remote-server.js";

const CANARY = "canary-value-7f3a9c";
const CANARY_KEY = "canary_key_name_51b2";

let server: RunningServer;
let proxy: CountingProxy;
let writer: CofferClient;
let token: string;
let serial = 0;

function name(): string {
  return `offline-canary-name-${++serial}`;
}

function collectingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (message: string, fields?: unknown) => lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, debug: log, info: log, warn: log, error: log };
}

/** A client through the proxy with an offline cache in a fresh directory. */
function offlineClient(maxStalenessMs: number, dir = tempDir(), logger = collectingLogger()) {
  const file = path.join(dir, "offline.json");
  const keyFile = path.join(dir, "offline.key");
  const client = createClient({
    url: proxy.url,
    token,
    logger,
    cache: { ttlMs: 1 },
    offline: { file, keyFile, maxStalenessMs },
  });
  return { client, file, keyFile, logger, dir };
}

beforeAll(async () => {
  server = await startTestServer();
  proxy = await startCountingProxy(server.url);
  await server.identity.createUser("alice", "writer");
  token = (await server.identity.issueToken("alice")).token;
  writer = createClient({ url: server.url, token });
});
afterAll(async () => {
  await proxy.close();
  await server.close();
});

describe("offline mode", () => {
  it("serves a kept value while the server is unreachable, marked stale and logged without values", async () => {
    const secret = name();
    await writer.createSecret(secret, { [CANARY_KEY]: CANARY });
    const { client, logger } = offlineClient(60_000);
    const fetched = await client.getSecret(secret);
    expect(fetched).not.toBeInstanceOf(StaleSecret);
    await client.cache!.flush();
    await proxy.down();
    try {
      await sleep(5); // past the 1 ms TTL: the read goes to the server, which does not answer
      const served = await client.getSecret(secret);
      expect(served).toBeInstanceOf(StaleSecret);
      expect((served as StaleSecret).stale.since.getTime()).toBeLessThanOrEqual(Date.now());
      expect(served.get(CANARY_KEY)).toBe(CANARY);
      expect(served.version).toBe(fetched.version);
      expect(logger.lines.join("\n")).toMatch(
        /cannot be reached; serving the secret 'offline-canary-name-\d+' from the offline cache/,
      );
      expect(logger.lines.join("\n")).not.toContain(CANARY);
      expect(JSON.stringify(served)).not.toContain(CANARY);
      expect(inspect(served)).not.toContain(CANARY);
    } finally {
      await proxy.up();
    }
  });

  it("refuses past maxStalenessMs with the original BackendUnavailableError", async () => {
    const secret = name();
    await writer.createSecret(secret, { v: CANARY });
    const { client } = offlineClient(300);
    await client.getSecret(secret);
    await proxy.down();
    try {
      await sleep(10);
      expect(await client.getSecret(secret)).toBeInstanceOf(StaleSecret);
      await sleep(350);
      const error = await client.getSecret(secret).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as Error).message).toMatch(/cannot be reached/);
    } finally {
      await proxy.up();
    }
  });

  it("serves nothing on a refusal: a deleted secret is SecretNotFoundError", async () => {
    const secret = name();
    await writer.createSecret(secret, { v: CANARY });
    const { client } = offlineClient(60_000);
    await client.getSecret(secret);
    await writer.deleteSecret(secret);
    await sleep(5);
    await expect(client.getSecret(secret)).rejects.toBeInstanceOf(SecretNotFoundError);
  });

  it("serves kept values when the server itself is stopped, and refuses them after maxStalenessMs", async () => {
    const own = await startTestServer();
    await own.identity.createUser("dora", "writer");
    const ownToken = (await own.identity.issueToken("dora")).token;
    const dir = tempDir();
    const options = {
      url: own.url,
      token: ownToken,
      logger: collectingLogger(),
      offline: { file: path.join(dir, "c.json"), keyFile: path.join(dir, "c.key"), maxStalenessMs: 3000 },
    };
    const online = createClient(options);
    await online.createSecret("stopped", { v: CANARY });
    await online.getSecret("stopped");
    await online.close(); // writes the file
    await own.close();
    const offline = createClient(options); // a new process, as it were: only the file is left
    const served = await offline.getSecret("stopped");
    expect(served).toBeInstanceOf(StaleSecret);
    expect(served.get("v")).toBe(CANARY);
    // Stopping a server can take a while: wait from when the value was fetched, not from now.
    await sleep((served as StaleSecret).stale.since.getTime() + 3050 - Date.now());
    await expect(offline.getSecret("stopped")).rejects.toBeInstanceOf(BackendUnavailableError);
  });

  it("keeps no plaintext value, key name or secret name in the file", async () => {
    const secret = name();
    const created = await writer.createSecret(secret, { [CANARY_KEY]: CANARY });
    const { client, file, keyFile } = offlineClient(60_000);
    await client.getSecret(secret);
    await client.get({ id: created.id });
    await client.cache!.flush();
    const bytes = readFileSync(file);
    for (const plain of [CANARY, CANARY_KEY, secret, created.id, "alice"]) {
      expect(bytes.includes(Buffer.from(plain))).toBe(false);
      expect(bytes.includes(Buffer.from(Buffer.from(plain).toString("base64").slice(0, 12)))).toBe(false);
    }
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it("never uses the key file's key itself: entries open only under the HKDF key for sealing", async () => {
    const secret = name();
    await writer.createSecret(secret, { password: "fake-purpose" });
    const { client, file, keyFile } = offlineClient(60_000);
    await client.getSecret(secret);
    await client.cache!.flush();
    const keyring = JSON.parse(readFileSync(keyFile, "utf8")) as {
      active: string;
      keys: Record<string, string>;
    };
    const fileKey = Buffer.from(keyring.keys[keyring.active]!, "base64");
    const [label, entry] = Object.entries(
      (
        JSON.parse(readFileSync(file, "utf8")) as {
          entries: Record<string, { k: string; iv: string; tag: string; data: string }>;
        }
      ).entries,
    )[0]!;
    const open = (key: Buffer) => {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(entry.iv, "base64"));
      decipher.setAAD(Buffer.from(`coffer-offline-cache/2\u0000${label}\u0000${entry.k}`));
      decipher.setAuthTag(Buffer.from(entry.tag, "base64"));
      return Buffer.concat([decipher.update(Buffer.from(entry.data, "base64")), decipher.final()]).toString(
        "utf8",
      );
    };
    expect(() => open(fileKey)).toThrow();
    const sealKey = Buffer.from(
      hkdfSync("sha256", fileKey, Buffer.alloc(0), "coffer/offline-cache/seal", 32),
    );
    expect(open(sealKey)).toContain("fake-purpose");
  });

  it("refuses a key file that group or others may read", async () => {
    const secret = name();
    await writer.createSecret(secret, { v: CANARY });
    const { client, keyFile, dir } = offlineClient(60_000);
    await client.getSecret(secret);
    await client.cache!.flush();
    chmodSync(keyFile, 0o644);
    const again = offlineClient(60_000, dir).client;
    await proxy.down();
    try {
      const error = await again.getSecret(secret).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect((error as Error).message).toMatch(/accessible to group or others/);
    } finally {
      await proxy.up();
    }
  });

  it("refuses an altered file with an IntegrityError, and reads afresh when the server answers", async () => {
    const secret = name();
    await writer.createSecret(secret, { v: CANARY });
    const { client, file, dir } = offlineClient(60_000);
    await client.getSecret(secret);
    await client.cache!.flush();
    const shape = JSON.parse(readFileSync(file, "utf8")) as { entries: Record<string, { data: string }> };
    const entry = Object.values(shape.entries)[0]!;
    const data = Buffer.from(entry.data, "base64");
    data[0] = data[0]! ^ 1;
    entry.data = data.toString("base64");
    writeFileSync(file, JSON.stringify(shape));

    const reader = offlineClient(60_000, dir).client;
    await proxy.down();
    try {
      await expect(reader.getSecret(secret)).rejects.toBeInstanceOf(IntegrityError);
    } finally {
      await proxy.up();
    }
    const fresh = await reader.getSecret(secret); // online: the server's value, and the entry rewritten
    expect(fresh).not.toBeInstanceOf(StaleSecret);
    expect(fresh.get("v")).toBe(CANARY);
    await reader.cache!.flush();
    await proxy.down();
    try {
      await sleep(5);
      expect(await reader.getSecret(secret)).toBeInstanceOf(StaleSecret);
    } finally {
      await proxy.up();
    }
  });

  it("refuses an entry moved under another secret's label instead of serving the wrong values", async () => {
    const [first, second] = [name(), name()];
    await writer.createSecret(first, { v: "first" });
    await writer.createSecret(second, { v: "second" });
    const { client, file, dir } = offlineClient(60_000);
    await client.getSecret(first);
    await client.getSecret(second);
    await client.cache!.flush();
    const shape = JSON.parse(readFileSync(file, "utf8")) as { entries: Record<string, unknown> };
    const [labelA, labelB] = Object.keys(shape.entries);
    [shape.entries[labelA!], shape.entries[labelB!]] = [shape.entries[labelB!], shape.entries[labelA!]];
    writeFileSync(file, JSON.stringify(shape));
    const reader = offlineClient(60_000, dir).client;
    await proxy.down();
    try {
      await expect(reader.getSecret(first)).rejects.toBeInstanceOf(IntegrityError);
    } finally {
      await proxy.up();
    }
  });

  it("refuses a file that is not one of its own, and replaces it on the next fresh read", async () => {
    const secret = name();
    await writer.createSecret(secret, { v: CANARY });
    const { file, dir } = offlineClient(60_000);
    writeFileSync(file, "not json at all");
    const reader = offlineClient(60_000, dir).client;
    await proxy.down();
    try {
      await expect(reader.getSecret(secret)).rejects.toBeInstanceOf(IntegrityError);
    } finally {
      await proxy.up();
    }
    await reader.getSecret(secret);
    await reader.cache!.flush();
    expect(JSON.parse(readFileSync(file, "utf8")).format).toBe("coffer-offline-cache/2");
  });

  it("drops a secret from the file when this client writes it or the hook invalidates it", async () => {
    const secret = name();
    await writer.createSecret(secret, { v: CANARY });
    const { client } = offlineClient(60_000);
    await client.getSecret(secret);
    client.cache!.invalidate(secret);
    await client.cache!.flush();
    await proxy.down();
    try {
      await sleep(5);
      await expect(client.getSecret(secret)).rejects.toBeInstanceOf(BackendUnavailableError);
    } finally {
      await proxy.up();
    }
  });

  it("never serves one token's kept values to another token's client on the same file", async () => {
    const secret = name();
    await writer.createSecret(secret, { v: CANARY }, { private: false });
    const { client, dir } = offlineClient(60_000);
    await client.getSecret(secret);
    await client.cache!.flush();
    await server.identity.createUser("erin", "writer");
    const erin = createClient({
      url: proxy.url,
      token: (await server.identity.issueToken("erin")).token,
      offline: {
        file: path.join(dir, "offline.json"),
        keyFile: path.join(dir, "offline.key"),
        maxStalenessMs: 60_000,
      },
    });
    await proxy.down();
    try {
      await expect(erin.getSecret(secret)).rejects.toBeInstanceOf(BackendUnavailableError);
    } finally {
      await proxy.up();
    }
  });

  it("is for remote mode: a local client with offline options is an InvalidConfigError", async () => {
    const dir = tempDir();
    const { client } = freshClient({
      offline: { file: path.join(dir, "f"), keyFile: path.join(dir, "k"), maxStalenessMs: 1000 },
    });
    await expect(client.getSecret("x")).rejects.toBeInstanceOf(InvalidConfigError);
    await client.close();
  });
});

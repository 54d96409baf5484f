// Authentication hygiene (issue 12, item 10): failed authentications are rate limited per client
// address, every reply says no-store and nosniff, the bearer scheme is case-insensitive, the
// server speaks HTTPS when given a certificate, the bootstrap token is short-lived, and the
// identity cache that decides how fast other replicas see revocations is configurable.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDatabase } from "@coffer/sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthLimiter, IdentityStore, startServer } from "../src/index.js";
import { call, startTestServer, type TestServer } from "./helpers.js";

const WRONG = `coffer_wrongtoken00_${"x".repeat(43)}`;
const tempDir = (prefix: string) => mkdtempSync(path.join(tmpdir(), prefix));

describe("failed-authentication limit", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ app: { authFailureLimit: 20, authFailureWindowMs: 60_000 } });
  });
  afterAll(() => server.close());

  it("a missing token is not a guess: it does not count", async () => {
    for (let i = 0; i < 30; i++)
      expect((await call(server, undefined, "GET", "/api/v1/me")).status).toBe(401);
    expect((await call(server, server.adminToken, "GET", "/api/v1/me")).status).toBe(200);
  });

  it("1,000 wrong guesses from one address: all but the first few get 429 with Retry-After", async () => {
    const concurrency = 10;
    const statuses: number[] = [];
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < 1000) {
          next += 1;
          statuses.push(
            (
              await call(
                server,
                `coffer_guess${String(next).padStart(7, "0")}_${"y".repeat(43)}`,
                "GET",
                "/api/v1/me",
              )
            ).status,
          );
        }
      }),
    );
    const elapsedMs = performance.now() - started;
    const count = (status: number) => statuses.filter((each) => each === status).length;
    console.log(
      `[auth limit] 1000 guesses in ${elapsedMs.toFixed(0)} ms: ${count(401)} × 401, ${count(429)} × 429`,
    );
    // The limit is 20; requests already in flight when it is reached may still be answered.
    expect(count(401)).toBeGreaterThanOrEqual(20);
    expect(count(401)).toBeLessThanOrEqual(20 + concurrency);
    expect(count(429)).toBe(1000 - count(401));

    const limited = await call(server, WRONG, "GET", "/api/v1/me");
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.body).toMatchObject({
      error: { code: "RATE_LIMITED", message: expect.any(String), hint: expect.any(String), retryable: true },
    });
    // A right guess now would be told apart from a wrong one if it got through: it does not.
    expect((await call(server, server.adminToken, "GET", "/api/v1/me")).status).toBe(429);
    // Tokens sent to /ready count too (it would otherwise tell admin tokens from others).
    expect((await call(server, WRONG, "GET", "/ready")).status).toBe(429);
    // Public routes without a token still answer.
    expect((await call(server, undefined, "GET", "/ready")).status).toBe(200);
  });
});

describe("behind a reverse proxy", () => {
  it("with COFFER_SERVER_TRUST_PROXY the limit counts each forwarded client, not the proxy", async () => {
    const server = await startServer({
      env: {
        COFFER_DATA_DIR: tempDir("coffer-proxy-"),
        COFFER_LOG_LEVEL: "silent",
        COFFER_SERVER_TRUST_PROXY: "true",
        COFFER_SERVER_AUTH_FAILURE_LIMIT: "2",
      },
      settings: { port: 0 },
      log: false,
    });
    try {
      const from = (client: string, token: string) =>
        fetch(`${server.url}/api/v1/me`, {
          headers: { authorization: `Bearer ${token}`, "x-forwarded-for": client },
        }).then((response) => response.status);
      expect(await from("203.0.113.1", WRONG)).toBe(401);
      expect(await from("203.0.113.1", WRONG)).toBe(401);
      expect(await from("203.0.113.1", WRONG)).toBe(429);
      // Another client behind the same proxy is not locked out.
      expect(await from("203.0.113.2", server.bootstrapToken!.token)).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe("AuthLimiter", () => {
  it("opens again when the window ends, and keeps a bounded number of addresses", () => {
    let now = 0;
    const limiter = new AuthLimiter({ limit: 3, windowMs: 10_000, maxAddresses: 100, clock: () => now });
    for (let i = 0; i < 3; i++) limiter.recordFailure("198.51.100.7");
    expect(limiter.retryAfterSeconds("198.51.100.7")).toBe(10);
    expect(limiter.retryAfterSeconds("198.51.100.8")).toBe(0);
    now = 9_001;
    expect(limiter.retryAfterSeconds("198.51.100.7")).toBe(1);
    now = 10_000;
    expect(limiter.retryAfterSeconds("198.51.100.7")).toBe(0);
    for (let i = 0; i < 10_000; i++) limiter.recordFailure(`addr-${i}`);
    expect(limiter.size).toBe(100);
  });
});

describe("reply headers and the Authorization scheme", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("every reply says Cache-Control: no-store and X-Content-Type-Options: nosniff", async () => {
    const created = await call(server, server.adminToken, "POST", "/api/v1/secrets", {
      name: "cache-me-not",
      values: { k: "fake-cached" },
    });
    const id = (created.body as { id: string }).id;
    const replies = [
      created,
      await call(server, server.adminToken, "GET", `/api/v1/secrets/${id}`),
      await call(server, server.adminToken, "POST", "/api/v1/tokens", {}),
      await call(server, server.adminToken, "GET", "/api/v1/secrets/00000000-0000-0000-0000-000000000000"),
      await call(server, undefined, "GET", "/api/v1/me"),
      await call(server, undefined, "GET", "/api/v1/nowhere"),
      await call(server, undefined, "GET", "/health"),
      await call(server, undefined, "GET", "/ready"),
      await call(server, undefined, "GET", "/api/v1/openapi.json"),
    ];
    expect(replies[1]!.text).toContain("fake-cached");
    for (const reply of replies) {
      expect(reply.headers.get("cache-control")).toBe("no-store");
      expect(reply.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });

  it.each(["Bearer", "bearer", "BEARER", "bEaReR"])("accepts the scheme written %s", async (scheme) => {
    const me = await call(server, undefined, "GET", "/api/v1/me", undefined, {
      authorization: `${scheme} ${server.adminToken}`,
    });
    expect(me.status).toBe(200);
  });

  it("still refuses other schemes and a bare token", async () => {
    for (const authorization of [`Basic ${server.adminToken}`, server.adminToken, `Bearer`]) {
      const me = await call(server, undefined, "GET", "/api/v1/me", undefined, { authorization });
      expect(me.status).toBe(401);
    }
  });
});

describe("HTTPS", () => {
  it("serves HTTPS itself when given a certificate and key", async () => {
    const dir = tempDir("coffer-tls-");
    const cert = path.join(dir, "cert.pem");
    const key = path.join(dir, "key.pem");
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"]
        .concat(["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
        .concat(["-keyout", key, "-out", cert]),
      { stdio: "ignore" },
    );
    const server = await startServer({
      env: {
        COFFER_DATA_DIR: dir,
        COFFER_LOG_LEVEL: "silent",
        COFFER_SERVER_TLS_CERT: cert,
        COFFER_SERVER_TLS_KEY: key,
      },
      settings: { port: 0 },
      log: false,
    });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const me = await new Promise<{ status: number; body: string; verified: boolean }>((resolve, reject) => {
        const request = httpsRequest(
          `${server.url}/api/v1/me`,
          { ca: readFileSync(cert), headers: { authorization: `Bearer ${server.bootstrapToken!.token}` } },
          (response) => {
            const verified = (response.socket as { authorized?: boolean }).authorized === true;
            let body = "";
            response.on("data", (chunk) => {
              body += chunk;
            });
            response.on("end", () => resolve({ status: response.statusCode ?? 0, body, verified }));
          },
        );
        request.on("error", reject);
        request.end();
      });
      expect(me).toMatchObject({ status: 200, verified: true });
      expect(JSON.parse(me.body)).toMatchObject({ user: "admin", role: "admin" });
      // Plain HTTP on the same port gets no API.
      await expect(fetch(`${server.url.replace("https:", "http:")}/health`)).rejects.toThrow();
    } finally {
      await server.close();
    }
  });

  it("refuses a certificate without a key, and an unreadable file, with one clear line", async () => {
    const dir = tempDir("coffer-tls-bad-");
    await expect(
      startServer({
        env: {
          COFFER_DATA_DIR: dir,
          COFFER_LOG_LEVEL: "silent",
          COFFER_SERVER_TLS_CERT: path.join(dir, "cert.pem"),
        },
        settings: { port: 0 },
        log: false,
      }),
    ).rejects.toThrow(/needs both COFFER_SERVER_TLS_CERT and COFFER_SERVER_TLS_KEY/);
    await expect(
      startServer({
        env: {
          COFFER_DATA_DIR: dir,
          COFFER_LOG_LEVEL: "silent",
          COFFER_SERVER_TLS_CERT: path.join(dir, "missing-cert.pem"),
          COFFER_SERVER_TLS_KEY: path.join(dir, "missing-key.pem"),
        },
        settings: { port: 0 },
        log: false,
      }),
    ).rejects.toThrow(/COFFER_SERVER_TLS_CERT names .* which cannot be read/);
  });
});

describe("the bootstrap token", () => {
  const open = (file: string, clock: () => number, cacheMs = 0) =>
    IdentityStore.open(openDatabase(`sqlite://${file}`), { clock, cacheMs });

  it("expires after the configured minutes (60 by default)", async () => {
    const dir = tempDir("coffer-boot-");
    const server = await startServer({
      env: { COFFER_DATA_DIR: dir, COFFER_LOG_LEVEL: "silent" },
      settings: { port: 0 },
      log: false,
    });
    try {
      const expiresAt = server.bootstrapToken!.expiresAt!.getTime();
      expect(expiresAt - Date.now()).toBeGreaterThan(59 * 60_000);
      expect(expiresAt - Date.now()).toBeLessThanOrEqual(60 * 60_000);
    } finally {
      await server.close();
    }
    let now = Date.parse("2026-01-01T00:00:00Z");
    const identity = await open(path.join(dir, "short.db"), () => now);
    const issued = await identity.bootstrap("admin", undefined, 10 * 60_000);
    expect((await identity.authenticate(issued!.token)).role).toBe("admin");
    now += 10 * 60_000;
    await expect(identity.authenticate(issued!.token)).rejects.toThrow(/expired/);
  });

  it("rotates: a new configured token is added on the next start; a used one never comes back", async () => {
    const file = path.join(tempDir("coffer-rotate-"), "c.db");
    let now = Date.parse("2026-01-01T00:00:00Z");
    const first = `coffer_bootfirst000_${"A".repeat(43)}`;
    const second = `coffer_bootsecond00_${"B".repeat(43)}`;
    const identity = await open(file, () => now);
    await identity.bootstrap("root", first, 60 * 60_000);
    expect((await identity.authenticate(first)).user).toBe("root");
    now += 2 * 60 * 60_000;
    await expect(identity.authenticate(first)).rejects.toThrow(/expired/);
    // Restart with the same (expired) token: still expired.
    const again = await open(file, () => now);
    await again.bootstrap("root", first, 60 * 60_000);
    await expect(again.authenticate(first)).rejects.toThrow(/expired/);
    // Restart with a new token: it works (for its hour).
    const rotated = await open(file, () => now);
    await rotated.bootstrap("root", second, 60 * 60_000);
    expect(await rotated.authenticate(second)).toMatchObject({ user: "root", role: "admin" });
  });
});

describe("identity cache: how fast other replicas see changes", () => {
  async function replicas(cacheMs: number) {
    const file = path.join(tempDir("coffer-replicas-"), "c.db");
    let now = Date.parse("2026-01-01T00:00:00Z");
    const clock = () => now;
    const a = await IdentityStore.open(openDatabase(`sqlite://${file}`), { clock, cacheMs });
    const b = await IdentityStore.open(openDatabase(`sqlite://${file}`), { clock, cacheMs });
    await a.createUser("dev", "writer");
    const token = await a.issueToken("dev");
    const admin = { user: "ops", userId: "user:ops", role: "admin" as const, tokenId: "x" };
    return { a, b, token, admin, advance: (ms: number) => (now += ms) };
  }

  it("with the default 5 s: a revocation on one replica reaches another within 5 s", async () => {
    const { a, b, token, admin, advance } = await replicas(5_000);
    expect((await b.authenticate(token.token)).user).toBe("dev");
    await a.revokeToken(token.id, admin);
    await expect(a.authenticate(token.token)).rejects.toThrow(/not valid/);
    advance(4_999);
    expect((await b.authenticate(token.token)).user).toBe("dev"); // still cached there
    advance(1);
    await expect(b.authenticate(token.token)).rejects.toThrow(/not valid/);
  });

  it("a role change reaches another replica within the cache time, and at once with 0", async () => {
    const cached = await replicas(2_000);
    expect((await cached.b.authenticate(cached.token.token)).role).toBe("writer");
    await cached.a.setRole("dev", "reader");
    expect((await cached.b.authenticate(cached.token.token)).role).toBe("writer");
    cached.advance(2_000);
    expect((await cached.b.authenticate(cached.token.token)).role).toBe("reader");

    const uncached = await replicas(0);
    expect((await uncached.b.authenticate(uncached.token.token)).role).toBe("writer");
    await uncached.a.setRole("dev", "reader");
    expect((await uncached.b.authenticate(uncached.token.token)).role).toBe("reader");
    await uncached.a.deleteUser("dev");
    await expect(uncached.b.authenticate(uncached.token.token)).rejects.toThrow(/not valid/);
  });

  it("the server setting reaches the identity store", async () => {
    const dir = tempDir("coffer-cache-setting-");
    const server = await startServer({
      env: { COFFER_DATA_DIR: dir, COFFER_LOG_LEVEL: "silent", COFFER_SERVER_IDENTITY_CACHE_SECONDS: "0" },
      settings: { port: 0 },
      log: false,
    });
    try {
      const token = server.bootstrapToken!.token;
      expect(
        (await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status,
      ).toBe(200);
      // Another replica (here: another IdentityStore on the same database) revokes the token.
      const other = await IdentityStore.open(openDatabase(`sqlite://${path.join(dir, "coffer.db")}`));
      await other.revokeToken(server.bootstrapToken!.id, {
        user: "admin",
        userId: "user:x",
        role: "admin",
        tokenId: "x",
      });
      expect(
        (await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status,
      ).toBe(401);
    } finally {
      await server.close();
    }
  });
});

// "A private secret exists only for its owner, whatever the role" (roles.ts, README), end to end
// over HTTP: an admin cannot mint a working token for another user (issue 12, item 4). An admin
// may give a new user an enrollment token, which only makes that user's own token, once; every
// token records who made it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestServer, type TestServer } from "./helpers.js";

interface TokenReply {
  id: string;
  user: string;
  userId: string;
  kind: "api" | "enrollment";
  createdBy: string | null;
  createdById: string | null;
  token?: string;
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const errorCode = (body: unknown) => (body as { error: { code: string } }).error.code;

describe("tokens for other users", () => {
  it("an admin cannot read a user's private secret, whatever it tries with tokens", async () => {
    const admin = server.adminToken;
    const adminId = (await server.identity.getUser("admin")).id;
    const created = await call(server, admin, "POST", "/api/v1/users", { name: "victim", role: "writer" });
    const victimId = (created.body as { id: string }).id;

    // The admin's one move: an enrollment token for the new user.
    const enrollment = await call(server, admin, "POST", "/api/v1/tokens", { user: "victim" });
    expect(enrollment.status).toBe(201);
    expect(enrollment.body).toMatchObject({
      user: "victim",
      userId: victimId,
      kind: "enrollment",
      createdBy: "admin",
      createdById: adminId,
    });
    const enrollmentToken = (enrollment.body as TokenReply).token!;
    // It reads nothing.
    expect((await call(server, enrollmentToken, "GET", "/api/v1/secrets")).status).toBe(403);
    expect((await call(server, enrollmentToken, "GET", "/api/v1/me")).body).toMatchObject({
      user: "victim",
      enrollment: true,
    });

    // The user turns it into their own token; that uses it up.
    const own = await call(server, enrollmentToken, "POST", "/api/v1/tokens", { description: "laptop" });
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({
      user: "victim",
      kind: "api",
      createdBy: "victim",
      createdById: victimId,
    });
    const victim = (own.body as TokenReply).token!;
    expect((await call(server, enrollmentToken, "POST", "/api/v1/tokens", {})).status).toBe(401);

    const secret = await call(server, victim, "POST", "/api/v1/secrets", {
      name: "payroll",
      values: { password: "fake-victim-password" },
      private: true,
    });
    expect(secret.status).toBe(201);
    const id = (secret.body as { id: string }).id;

    // Now the admin tries: a working token for the victim, another enrollment token, reading.
    const minted = await call(server, admin, "POST", "/api/v1/tokens", { user: "victim" });
    expect(minted.status).toBe(403);
    expect(errorCode(minted.body)).toBe("PERMISSION_DENIED");
    expect(minted.text).not.toMatch(/coffer_[a-z0-9]{12}_/);
    const attempts = [
      await call(server, admin, "GET", `/api/v1/secrets/${id}`),
      await call(server, admin, "GET", "/api/v1/secrets/by-name?name=payroll"),
      await call(server, admin, "GET", "/api/v1/secrets?name=payroll"),
      await call(server, admin, "POST", "/api/v1/references/resolve", { document: "{{payroll.password}}" }),
    ];
    for (const attempt of attempts) expect(attempt.text).not.toContain("fake-victim-password");
    expect(attempts[0]!.status).toBe(404);
    expect(attempts[1]!.status).toBe(404);
    expect((attempts[2]!.body as { items: unknown[] }).items).toEqual([]);
    // And the victim still reads it.
    expect(
      ((await call(server, victim, "GET", `/api/v1/secrets/${id}`)).body as { values: unknown }).values,
    ).toEqual({
      password: "fake-victim-password",
    });

    // Every token says who made it.
    const listed = (await call(server, admin, "GET", "/api/v1/tokens")).body as { tokens: TokenReply[] };
    const victims = listed.tokens.filter((token) => token.user === "victim");
    expect(victims.map((token) => [token.kind, token.createdBy])).toEqual([
      ["enrollment", "admin"],
      ["api", "victim"],
    ]);
    expect(listed.tokens.find((token) => token.user === "admin")).toMatchObject({ createdBy: null });
  });

  it("non-admins make only their own tokens, recorded as made by them", async () => {
    const writer = await server.user("wendy", "writer");
    const forOther = await call(server, writer, "POST", "/api/v1/tokens", { user: "admin" });
    expect(forOther.status).toBe(403);
    const own = await call(server, writer, "POST", "/api/v1/tokens", {});
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ user: "wendy", kind: "api", createdBy: "wendy" });
  });

  it("an enrollment token is good once, even when used twice at the same moment", async () => {
    await server.identity.createUser("racer", "reader");
    const enrollment = await call(server, server.adminToken, "POST", "/api/v1/tokens", { user: "racer" });
    const token = (enrollment.body as TokenReply).token!;
    const results = await Promise.all(
      Array.from({ length: 5 }, () => call(server, token, "POST", "/api/v1/tokens", {})),
    );
    expect(results.map((result) => result.status).sort()).toEqual([201, 401, 401, 401, 401]);

    // The same, with every request past authentication before any of them uses the token.
    await server.identity.createUser("racer2", "reader");
    const admin = await server.identity.authenticate(server.adminToken);
    const second = await server.identity.createTokenFor(admin, "racer2", {});
    const callers = await Promise.all(
      Array.from({ length: 5 }, () => server.identity.authenticate(second.token)),
    );
    const outcomes = await Promise.allSettled(
      callers.map((racer) => server.identity.createTokenFor(racer, "racer2", {})),
    );
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
  });

  it("enrollment tokens expire within a week at most", async () => {
    await server.identity.createUser("slow", "reader");
    const tooLong = await call(server, server.adminToken, "POST", "/api/v1/tokens", {
      user: "slow",
      expiresInDays: 30,
    });
    expect(tooLong.status).toBe(400);
    const dayLong = await call(server, server.adminToken, "POST", "/api/v1/tokens", { user: "slow" });
    const expiresAt = Date.parse((dayLong.body as { expiresAt: string }).expiresAt);
    expect(expiresAt - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
  });
});

describe("revoking one's own token (coffer logout)", () => {
  it("DELETE /api/v1/me/token revokes exactly the token it carries", async () => {
    await server.identity.createUser("leaver", "writer");
    const laptop = (await server.identity.issueToken("leaver")).token;
    const desktop = (await server.identity.issueToken("leaver")).token;
    expect((await call(server, laptop, "GET", "/api/v1/me")).status).toBe(200);

    expect((await call(server, laptop, "DELETE", "/api/v1/me/token")).status).toBe(204);
    const after = await call(server, laptop, "GET", "/api/v1/me");
    expect(after.status).toBe(401);
    expect(errorCode(after.body)).toBe("UNAUTHENTICATED");
    // Only that one: the user's other token still works, and so does everyone else's.
    expect((await call(server, desktop, "GET", "/api/v1/me")).status).toBe(200);
    expect((await call(server, server.adminToken, "GET", "/api/v1/me")).status).toBe(200);
    // A second logout with the revoked token is refused as any bad token is.
    expect((await call(server, laptop, "DELETE", "/api/v1/me/token")).status).toBe(401);
  });

  it("an enrollment token can give itself up", async () => {
    await server.identity.createUser("undecided", "reader");
    const enrollment = await call(server, server.adminToken, "POST", "/api/v1/tokens", { user: "undecided" });
    const token = (enrollment.body as TokenReply).token!;
    expect((await call(server, token, "DELETE", "/api/v1/me/token")).status).toBe(204);
    expect((await call(server, token, "GET", "/api/v1/me")).status).toBe(401);
  });
});

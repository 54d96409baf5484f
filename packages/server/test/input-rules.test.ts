// Input rules of the REST API, on SQLite, PostgreSQL and MySQL alike: everything a client sends is
// checked before any query (a NUL, a fractional number for a bigint column, a hand-made cursor, a
// document nested 20,000 deep), bodies must be UTF-8, names are NFC, "__proto__" and friends are
// ordinary keys, values are strings, and every refusal — fastify's own included — has the
// documented shape `{ error: { code, message, hint? } }`.
import { beforeAll, expect, it } from "vitest";
import { callRaw } from "./helpers.js";
import { describeOnEachDatabase, type InputTestServer } from "./input/servers.js";

interface Reply {
  status: number;
  body: unknown;
  text: string;
}

async function send(
  server: InputTestServer,
  method: string,
  route: string,
  options: {
    token?: string | null;
    body?: unknown;
    raw?: Buffer | string;
    headers?: Record<string, string>;
  } = {},
): Promise<Reply> {
  const token = options.token === undefined ? server.adminToken : (options.token ?? undefined);
  const body = options.raw ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
  return callRaw(server, token, method, route, body, options.headers);
}

/** The documented error body, and nothing else. */
function expectError(reply: Reply, status: number, code = "VALIDATION") {
  expect(reply.status, reply.text).toBe(status);
  const body = reply.body as { error: { code: string; message: string; hint?: string } };
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(Object.keys(body.error).every((key) => ["code", "message", "hint", "details"].includes(key))).toBe(
    true,
  );
  return body.error;
}

function nested(depth: number, leaf: unknown): string {
  return `${'{"a":'.repeat(depth)}${JSON.stringify(leaf)}${"}".repeat(depth)}`;
}

describeOnEachDatabase((_dialect, get) => {
  let server: InputTestServer;
  beforeAll(async () => {
    server = get();
    const created = await send(server, "POST", "/api/v1/secrets", {
      body: { name: "base", values: { user: "fake-user" } },
    });
    expect(created.status).toBe(201);
  });

  // --- item 2: nothing a client sends reaches a query unchecked ---------------------------------

  it("refuses a NUL byte in every string that would reach a query, with nothing written", async () => {
    const before = await server.snapshot();
    const requests: Array<[string, string, unknown?]> = [
      ["GET", "/api/v1/secrets?name_contains=%00"],
      ["GET", "/api/v1/secrets?name_startswith=a%00"],
      ["GET", "/api/v1/secrets?name_endswith=%00"],
      ["GET", "/api/v1/secrets?name=a%00b"],
      ["GET", "/api/v1/secrets?owner=%00"],
      ["GET", "/api/v1/secrets/by-name?name=a%00"],
      ["PUT", "/api/v1/secrets/by-name?name=a%00", { values: { k: "fake" } }],
      ["GET", "/api/v1/secrets/%00"],
      ["DELETE", "/api/v1/tokens/%00"],
      ["DELETE", "/api/v1/users/a%00"],
      ["PUT", "/api/v1/users/a%00/role", { role: "reader" }],
      ["POST", "/api/v1/users", { name: "a\u0000", role: "reader" }],
      ["POST", "/api/v1/tokens", { description: "fake\u0000token" }],
      ["POST", "/api/v1/tokens", { user: "admin\u0000" }],
      ["POST", "/api/v1/secrets", { name: "a\u0000", values: { k: "fake" } }],
      ["POST", "/api/v1/references/validate", { document: '{{"a\\u0000b".k}}' }],
      ["POST", "/api/v1/references/resolve", { document: { x: '{{"a\\u0000b".k}}' } }],
    ];
    for (const [method, route, body] of requests) {
      const reply = await send(server, method, route, body === undefined ? {} : { body });
      expectError(reply, 400);
    }
    expect(await server.snapshot()).toBe(before);
  });

  it("refuses a lone surrogate (drivers would store it as U+FFFD) and a %-escape that is not UTF-8", async () => {
    expect(
      expectError(await send(server, "GET", "/api/v1/secrets?name_contains=%ED%A0%80"), 400).message,
    ).toMatch(/not UTF-8/);
    expectError(await send(server, "GET", "/api/v1/secrets?owner=%FF"), 400);
    expectError(
      await send(server, "POST", "/api/v1/references/validate", { body: { document: '{{"\\ud800".k}}' } }),
      400,
    );
  });

  it("refuses a fractional, huge or negative expiresInDays (the expiry is a bigint column)", async () => {
    const before = await server.snapshot();
    for (const expiresInDays of [1.23456789, 0.5, -1, 0, 1e308, 3651]) {
      expectError(await send(server, "POST", "/api/v1/tokens", { body: { expiresInDays } }), 400);
    }
    expect(await server.snapshot()).toBe(before);
    const whole = await send(server, "POST", "/api/v1/tokens", { body: { expiresInDays: 30 } });
    expect(whole.status).toBe(201);
  });

  it("signs cursors: a hand-made one, an unsigned one and another server's are typed 400s", async () => {
    for (const name of ["c1", "c2", "c3"]) {
      await send(server, "POST", "/api/v1/secrets", { body: { name, values: { k: "fake" } } });
    }
    const first = await send(server, "GET", "/api/v1/secrets?sort=created&limit=1");
    const cursor = (first.body as { nextCursor: string }).nextCursor;
    expect(cursor).toBeTruthy();
    const next = await send(server, "GET", `/api/v1/secrets?sort=created&limit=1&cursor=${cursor}`);
    expect(next.status).toBe(200);

    // What the old cursors were: base64url JSON with a plain SHA-256 fingerprint a client can compute.
    const [payload] = cursor.split(".");
    const decoded = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8")) as Record<
      string,
      unknown
    >;
    const handMade = Buffer.from(JSON.stringify({ ...decoded, k: "abc" })).toString("base64url");
    expectError(await send(server, "GET", `/api/v1/secrets?sort=created&limit=1&cursor=${handMade}`), 400);
    expectError(await send(server, "GET", `/api/v1/secrets?sort=created&limit=1&cursor=${payload}`), 400);
    const forged = `${handMade}.${cursor.split(".")[1]}`;
    expectError(await send(server, "GET", `/api/v1/secrets?sort=created&limit=1&cursor=${forged}`), 400);
    // A cursor signed with another deployment's key (the same shape, the same query).
    const otherKey = `${payload}.${Buffer.alloc(32, 7).toString("base64url")}`;
    const other = expectError(
      await send(server, "GET", `/api/v1/secrets?sort=created&limit=1&cursor=${otherKey}`),
      400,
    );
    expect(other.message).toMatch(/not made by this server/);
  });

  it("bounds nesting in reference documents with a typed error (20,000 deep was a stack overflow)", async () => {
    for (const action of ["validate", "resolve"]) {
      const reply = await send(server, "POST", `/api/v1/references/${action}`, {
        raw: `{"document":${nested(20_000, "{{base.user}}")}}`,
      });
      expect(expectError(reply, 400).message).toMatch(/nests deeper than/);
    }
    const shallow = await send(server, "POST", "/api/v1/references/resolve", {
      raw: `{"document":${nested(50, "{{base.user}}")}}`,
    });
    expect(shallow.status).toBe(200);
  });

  // --- item 8: input fidelity --------------------------------------------------------------------

  it("refuses a body that is not valid UTF-8, with nothing written", async () => {
    const before = await server.snapshot();
    const raw = Buffer.concat([
      Buffer.from('{"name":"bad-utf8","values":{"k":"fake'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}}'),
    ]);
    const reply = await send(server, "POST", "/api/v1/secrets", { raw });
    expect(expectError(reply, 400).message).toMatch(/UTF-8/);
    expect(await server.snapshot()).toBe(before);
  });

  it("normalises names to NFC: the NFC and NFD forms of café are one secret", async () => {
    const nfd = "cafe\u0301";
    const nfc = "caf\u00e9";
    const created = await send(server, "POST", "/api/v1/secrets", {
      body: { name: nfd, values: { k: "fake" } },
    });
    expect(created.status).toBe(201);
    expect((created.body as { name: string }).name).toBe(nfc);
    const found = await send(server, "GET", `/api/v1/secrets/by-name?name=${encodeURIComponent(nfc)}`);
    expect(found.status).toBe(200);
    expect((found.body as { id: string }).id).toBe((created.body as { id: string }).id);
    expectError(
      await send(server, "POST", "/api/v1/secrets", { body: { name: nfc, values: { k: "fake" } } }),
      409,
      "ALREADY_EXISTS",
    );
    const listed = await send(
      server,
      "GET",
      `/api/v1/secrets?name_startswith=${encodeURIComponent("cafe\u0301")}`,
    );
    expect((listed.body as { items: Array<{ name: string }> }).items.map((item) => item.name)).toEqual([nfc]);
  });

  it("keeps __proto__, constructor, prototype and hasOwnProperty as ordinary keys that round-trip", async () => {
    const raw = `{"name":"proto-keys","values":{"__proto__":"fake-1","constructor":"fake-2","prototype":"fake-3","hasOwnProperty":"fake-4"}}`;
    const created = await send(server, "POST", "/api/v1/secrets", { raw });
    expect(created.status, created.text).toBe(201);
    const id = (created.body as { id: string }).id;
    expect((created.body as { keys: string[] }).keys).toEqual(Object.keys(JSON.parse(raw).values));
    const read = await send(server, "GET", `/api/v1/secrets/${id}`);
    expect(read.text).toContain('"__proto__":"fake-1"');
    expect(Object.entries(JSON.parse(read.text).values)).toEqual([
      ["__proto__", "fake-1"],
      ["constructor", "fake-2"],
      ["prototype", "fake-3"],
      ["hasOwnProperty", "fake-4"],
    ]);

    // Merge: change one, remove __proto__ with null.
    const patched = await send(server, "PATCH", `/api/v1/secrets/${id}`, {
      raw: '{"values":{"__proto__":null,"constructor":"fake-5"}}',
    });
    expect(patched.status, patched.text).toBe(200);
    expect((patched.body as { keys: string[] }).keys).toEqual(["constructor", "prototype", "hasOwnProperty"]);
    const again = await send(server, "GET", `/api/v1/secrets/${id}`);
    expect(Object.entries((again.body as { values: Record<string, string> }).values)).toEqual([
      ["constructor", "fake-5"],
      ["prototype", "fake-3"],
      ["hasOwnProperty", "fake-4"],
    ]);

    // Replace, and put by name, keep them too.
    const replaced = await send(server, "PUT", `/api/v1/secrets/${id}`, {
      raw: '{"values":{"__proto__":"fake-6"}}',
    });
    expect((replaced.body as { keys: string[] }).keys).toEqual(["__proto__"]);
    const put = await send(server, "PUT", "/api/v1/secrets/by-name?name=proto-put", {
      raw: '{"values":{"__proto__":"fake-7"}}',
    });
    expect((put.body as { keys: string[] }).keys).toEqual(["__proto__"]);

    // A reference to a key the secret lacks finds no inherited property.
    const resolved = await send(server, "POST", "/api/v1/references/resolve", {
      body: { document: "{{proto-put.constructor}}" },
    });
    expectError(resolved, 400);
    const own = await send(server, "POST", "/api/v1/references/resolve", {
      body: { document: "{{proto-put.__proto__}}" },
    });
    expect(own.body).toEqual({ document: "fake-7" });
  });

  it("refuses a value that is not a string, with a hint to quote it", async () => {
    const before = await server.snapshot();
    for (const [value, quoted] of [
      [1234, '"8080"'],
      [true, '"true"'],
      [null, '"null"'],
    ] as const) {
      const reply = await send(server, "POST", "/api/v1/secrets", {
        body: { name: "typed", values: { a: value } },
      });
      const error = expectError(reply, 400);
      expect(error.message).toMatch(/'values\.a'.*not a string/);
      expect(error.hint).toContain(quoted);
      expect(reply.text).not.toContain("1234");
    }
    expect(await server.snapshot()).toBe(before);
  });

  // --- item 9: every error in the documented shape ------------------------------------------------

  it("answers fastify's own refusals in the documented shape", async () => {
    expectError(await send(server, "GET", "/api/v1/secrets/%E0%A4%A"), 400);
    expectError(await send(server, "GET", `/api/v1/secrets/${"x".repeat(200)}`), 400);
    expectError(await send(server, "GET", "/api/v1/me", { headers: { "x-big": "x".repeat(20_000) } }), 431);
    expectError(await send(server, "POST", "/api/v1/secrets", { raw: '{"name": "x", ' }), 400);
    expectError(
      await send(server, "POST", "/api/v1/secrets", {
        raw: "name=x",
        headers: { "content-type": "text/plain" },
      }),
      400,
    );
    expectError(
      await send(server, "POST", "/api/v1/secrets", {
        raw: `{"name":"big","values":{"k":"${"x".repeat(3 * 1024 * 1024)}"}}`,
      }),
      413,
      "VALUE_TOO_LARGE",
    );
    expectError(await send(server, "GET", "/api/v1/nothing-here"), 404, "NOT_FOUND");
    expectError(await send(server, "GET", "/api/v1/secrets", { token: null }), 401, "UNAUTHENTICATED");
  });

  it("accepts a DELETE with Content-Type: application/json and no body", async () => {
    const created = await send(server, "POST", "/api/v1/secrets", {
      body: { name: "to-delete", values: { k: "fake" } },
    });
    const id = (created.body as { id: string }).id;
    const deleted = await send(server, "DELETE", `/api/v1/secrets/${id}`, {
      headers: { "content-type": "application/json" },
    });
    expect(deleted.status, deleted.text).toBe(204);
  });
});

// Every secret endpoint × every kind of caller × private and public secrets. Two properties are
// checked in every cell: no value reaches a caller who may not read it, and a private secret's
// existence never shows to anyone but its owner (their replies equal those for a secret that does
// not exist).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestServer, type TestServer } from "./helpers.js";

type Principal = "no token" | "bad token" | "other user" | "owner" | "admin" | "reader" | "value-reader";
type Visibility = "private" | "public";
type Outcome = "ok" | "ok-without-values" | "unauthenticated" | "forbidden" | "not-found";

interface Endpoint {
  name: string;
  /** Whether the endpoint returns the secret's values to a caller allowed to read them. */
  returnsValues?: boolean;
  request(secret: { id: string; name: string; private: boolean }): {
    method: string;
    route: string;
    body?: unknown;
  };
  /** The status for a secret the caller cannot see (default 404). */
  notFoundStatus?: number;
  /** Which role the endpoint needs on a public secret, beyond being able to see it. */
  needs: "read-metadata" | "read-values" | "write" | "owner";
}

const endpoints: Endpoint[] = [
  {
    name: "GET /secrets/:id",
    needs: "read-metadata",
    returnsValues: true,
    request: (s) => ({ method: "GET", route: `/api/v1/secrets/${s.id}` }),
  },
  {
    name: "GET /secrets/by-name",
    needs: "read-metadata",
    returnsValues: true,
    request: (s) => ({
      method: "GET",
      route: `/api/v1/secrets/by-name?name=${encodeURIComponent(s.name)}&private=${s.private}`,
    }),
  },
  {
    name: "PUT /secrets/:id",
    needs: "write",
    request: (s) => ({
      method: "PUT",
      route: `/api/v1/secrets/${s.id}`,
      body: { values: { k: "fake-replaced" } },
    }),
  },
  {
    name: "PATCH /secrets/:id",
    needs: "write",
    request: (s) => ({
      method: "PATCH",
      route: `/api/v1/secrets/${s.id}`,
      body: { values: { k2: "fake-added" } },
    }),
  },
  {
    name: "POST /secrets/:id/rename",
    needs: "write",
    request: (s) => ({
      method: "POST",
      route: `/api/v1/secrets/${s.id}/rename`,
      body: { name: `${s.name}-renamed` },
    }),
  },
  {
    name: "POST /secrets/:id/visibility",
    needs: "owner",
    request: (s) => ({
      method: "POST",
      route: `/api/v1/secrets/${s.id}/visibility`,
      body: { private: !s.private },
    }),
  },
  {
    name: "DELETE /secrets/:id",
    needs: "write",
    request: (s) => ({ method: "DELETE", route: `/api/v1/secrets/${s.id}` }),
  },
  {
    name: "POST /references/validate",
    needs: "read-metadata",
    notFoundStatus: 200,
    request: (s) => ({
      method: "POST",
      route: "/api/v1/references/validate",
      body: { document: { v: `{{"${s.name}".k}}` } },
    }),
  },
  {
    name: "POST /references/resolve",
    needs: "read-values",
    // A reference to a secret the caller cannot see is a document error, as for one that does not exist.
    notFoundStatus: 400,
    returnsValues: true,
    request: (s) => ({
      method: "POST",
      route: "/api/v1/references/resolve",
      body: { document: { v: `{{"${s.name}".k}}` } },
    }),
  },
];

const principals: Principal[] = [
  "no token",
  "bad token",
  "other user",
  "owner",
  "admin",
  "reader",
  "value-reader",
];
const roleOf: Record<Principal, string | undefined> = {
  "no token": undefined,
  "bad token": undefined,
  "other user": "writer",
  owner: "writer",
  admin: "admin",
  reader: "reader",
  "value-reader": "value-reader",
};
const rank = { reader: 0, "value-reader": 1, writer: 2, admin: 3 } as const;

/**
 * The role check comes before any lookup, so a caller without the role gets 403 whether or not
 * the secret exists — which reveals nothing. A caller with the role gets "not found" for someone
 * else's private secret.
 */
function expected(endpoint: Endpoint, principal: Principal, visibility: Visibility): Outcome {
  if (principal === "no token" || principal === "bad token") return "unauthenticated";
  if (principal === "owner") return "ok";
  const role = rank[roleOf[principal] as keyof typeof rank];
  const mayWrite = role >= rank.writer;
  const mayReadValues = role >= rank["value-reader"];
  if ((endpoint.needs === "write" || endpoint.needs === "owner") && !mayWrite) return "forbidden";
  if (endpoint.needs === "read-values" && !mayReadValues) return "forbidden";
  if (visibility === "private") return "not-found";
  if (endpoint.needs === "owner") return "forbidden";
  if (endpoint.needs === "read-metadata" && !mayReadValues && endpoint.returnsValues)
    return "ok-without-values";
  return "ok";
}

const statusOf: Record<Outcome, number[]> = {
  ok: [200, 201, 204],
  "ok-without-values": [200],
  unauthenticated: [401],
  forbidden: [403],
  "not-found": [404],
};

describe("access matrix", () => {
  let server: TestServer;
  const tokens = {} as Record<Principal, string | undefined>;

  beforeAll(async () => {
    server = await startTestServer();
    tokens.owner = await server.user("owner", "writer");
    tokens["other user"] = await server.user("other", "writer");
    tokens.reader = await server.user("reader", "reader");
    tokens["value-reader"] = await server.user("value-reader", "value-reader");
    tokens.admin = server.adminToken;
    tokens["no token"] = undefined;
    tokens["bad token"] = `coffer_aaaaaaaaaaaa_${"x".repeat(43)}`;
  });
  afterAll(() => server.close());

  const cells = endpoints.flatMap((endpoint) =>
    principals.flatMap((principal) =>
      (["private", "public"] as Visibility[]).map((visibility) => ({ endpoint, principal, visibility })),
    ),
  );

  it.each(cells)(
    "$endpoint.name as $principal on a $visibility secret",
    async ({ endpoint, principal, visibility }) => {
      const value = `fake-value-${randomUUID()}`;
      const name = `m-${randomUUID().slice(0, 8)}`;
      const created = await call(server, tokens.owner, "POST", "/api/v1/secrets", {
        name,
        values: { k: value },
        private: visibility === "private",
      });
      expect(created.status).toBe(201);
      const secret = { id: (created.body as { id: string }).id, name, private: visibility === "private" };
      const { method, route, body } = endpoint.request(secret);
      const response = await call(server, tokens[principal], method, route, body);

      const outcome = expected(endpoint, principal, visibility);
      const allowed = outcome === "not-found" ? [endpoint.notFoundStatus ?? 404] : statusOf[outcome];
      expect(allowed, `${response.status} ${response.text.slice(0, 200)}`).toContain(response.status);
      const mayReadValues = outcome === "ok" && endpoint.returnsValues;
      if (!mayReadValues) expect(response.text).not.toContain(value);
      if (mayReadValues) expect(response.text).toContain(value);

      if (visibility === "private" && principal !== "owner") {
        // Exactly what the caller gets for a secret that does not exist at all.
        const ghost = endpoint.request({
          id: randomUUID(),
          name: `ghost-${randomUUID().slice(0, 8)}`,
          private: secret.private,
        });
        const missing = await call(server, tokens[principal], ghost.method, ghost.route, ghost.body);
        expect(missing.status).toBe(response.status);
        const strip = (text: string) => text.replaceAll(secret.id, "ID").replaceAll(secret.name, "NAME");
        const stripGhost = (text: string) =>
          text.replace(/[0-9a-f-]{36}/g, "ID").replace(/ghost-[0-9a-f]{8}/g, "NAME");
        expect(strip(response.text)).toBe(stripGhost(missing.text));
      }
    },
  );

  it.each(principals)(
    "the list as %s never carries values and shows private secrets to their owner only",
    async (principal) => {
      const value = `fake-value-${randomUUID()}`;
      const prefix = `list-${randomUUID().slice(0, 8)}`;
      await call(server, tokens.owner, "POST", "/api/v1/secrets", {
        name: `${prefix}-pub`,
        values: { k: value },
      });
      await call(server, tokens.owner, "POST", "/api/v1/secrets", {
        name: `${prefix}-priv`,
        values: { k: value },
        private: true,
      });
      const response = await call(
        server,
        tokens[principal],
        "GET",
        `/api/v1/secrets?name_startswith=${prefix}`,
      );
      if (principal === "no token" || principal === "bad token") {
        expect(response.status).toBe(401);
        return;
      }
      expect(response.status).toBe(200);
      expect(response.text).not.toContain(value);
      const names = (response.body as { items: Array<{ name: string }> }).items
        .map((item) => item.name)
        .sort();
      expect(names).toEqual(principal === "owner" ? [`${prefix}-priv`, `${prefix}-pub`] : [`${prefix}-pub`]);
    },
  );
});

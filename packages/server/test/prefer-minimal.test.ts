// `Prefer: return=minimal` (RFC 7240) on every write route that can answer with a secret's values,
// on SQLite, PostgreSQL and MySQL: with it the reply is the metadata only and says
// `Preference-Applied: return=minimal`; without it the reply is what it always was; a malformed
// header is ignored, never a 400 or a 500. The routes come from the OpenAPI document (every
// non-GET operation whose 2xx reply schema has `values`): a new one fails here until it has a
// request below.
import { beforeAll, expect, it } from "vitest";
import { call } from "./helpers.js";
import { describeOnEachDatabase, type InputTestServer } from "./input/servers.js";

interface Written {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

interface Secret {
  id: string;
  version: number;
}

interface WriteRoute {
  /** Makes what the write needs (a secret of its own) and sends it with `headers`. */
  send(
    server: InputTestServer,
    token: string,
    tag: string,
    headers: Record<string, string>,
  ): Promise<Written>;
  /** The values the secret holds after the write. */
  stored: (tag: string) => Record<string, string>;
  /** Whether the reply has carried the values until now (without the preference). */
  echoesValues: boolean;
}

const value = (tag: string, n: number) => `fake-prefer-${tag}-${n}`;

async function send(
  server: InputTestServer,
  token: string,
  method: string,
  route: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Written> {
  const reply = await call(server, token, method, route, body, headers);
  return { status: reply.status, body: reply.body as Record<string, unknown>, headers: reply.headers };
}

async function secretOf(server: InputTestServer, token: string, tag: string): Promise<Secret> {
  const created = await send(server, token, "POST", "/api/v1/secrets", {
    name: `prefer-${tag}`,
    values: { K: value(tag, 1) },
  });
  expect(created.status).toBe(201);
  return created.body as unknown as Secret;
}

/** Each write route that can answer with values, as `METHOD /path/{param}` in the OpenAPI document. */
const WRITES: Record<string, WriteRoute> = {
  "POST /api/v1/secrets": {
    send: (server, token, tag, headers) =>
      send(
        server,
        token,
        "POST",
        "/api/v1/secrets",
        { name: `prefer-${tag}`, values: { K: value(tag, 1) } },
        headers,
      ),
    stored: (tag) => ({ K: value(tag, 1) }),
    echoesValues: true,
  },
  "PUT /api/v1/secrets/by-name": {
    send: async (server, token, tag, headers) => {
      await secretOf(server, token, tag);
      return send(
        server,
        token,
        "PUT",
        `/api/v1/secrets/by-name?name=prefer-${tag}`,
        { values: { K: value(tag, 2) } },
        headers,
      );
    },
    stored: (tag) => ({ K: value(tag, 2) }),
    echoesValues: false,
  },
  "PUT /api/v1/secrets/{id}": {
    send: async (server, token, tag, headers) => {
      const secret = await secretOf(server, token, tag);
      return send(
        server,
        token,
        "PUT",
        `/api/v1/secrets/${secret.id}`,
        { values: { K: value(tag, 2) } },
        { "if-match": '"1"', ...headers },
      );
    },
    stored: (tag) => ({ K: value(tag, 2) }),
    echoesValues: false,
  },
  "PATCH /api/v1/secrets/{id}": {
    send: async (server, token, tag, headers) => {
      const secret = await secretOf(server, token, tag);
      return send(
        server,
        token,
        "PATCH",
        `/api/v1/secrets/${secret.id}`,
        { values: { L: value(tag, 2) } },
        headers,
      );
    },
    stored: (tag) => ({ K: value(tag, 1), L: value(tag, 2) }),
    echoesValues: false,
  },
  "POST /api/v1/secrets/{id}/rename": {
    send: async (server, token, tag, headers) => {
      const secret = await secretOf(server, token, tag);
      return send(
        server,
        token,
        "POST",
        `/api/v1/secrets/${secret.id}/rename`,
        { name: `prefer-${tag}-renamed` },
        headers,
      );
    },
    stored: (tag) => ({ K: value(tag, 1) }),
    echoesValues: false,
  },
  "POST /api/v1/secrets/{id}/visibility": {
    send: async (server, token, tag, headers) => {
      const secret = await secretOf(server, token, tag);
      return send(
        server,
        token,
        "POST",
        `/api/v1/secrets/${secret.id}/visibility`,
        { private: true },
        headers,
      );
    },
    stored: (tag) => ({ K: value(tag, 1) }),
    echoesValues: false,
  },
  "POST /api/v1/secrets/{id}/rollback": {
    send: async (server, token, tag, headers) => {
      const secret = await secretOf(server, token, tag);
      const patched = await send(server, token, "PATCH", `/api/v1/secrets/${secret.id}`, {
        values: { K: value(tag, 2) },
      });
      expect(patched.status).toBe(200);
      return send(server, token, "POST", `/api/v1/secrets/${secret.id}/rollback`, { toVersion: 1 }, headers);
    },
    stored: (tag) => ({ K: value(tag, 1) }),
    echoesValues: false,
  },
};

type Schema = { properties?: Record<string, unknown> } & Record<string, unknown>;

/**
 * Whether a reply schema (through its content, anyOf…) describes an object with `values`, a
 * secret's key → value map (the restore report's `values` is a count, not values).
 */
function hasValues(schema: unknown, depth = 0): boolean {
  if (!schema || typeof schema !== "object" || depth > 8) return false;
  const values = (schema as Schema).properties?.values as { type?: unknown } | undefined;
  if (values?.type === "object") return true;
  return Object.values(schema).some((each) => hasValues(each, depth + 1));
}

function writeRoutesWithValues(document: {
  paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
}): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([method]) => !["get", "head"].includes(method))
        .filter(([, operation]) =>
          Object.entries(operation.responses ?? {}).some(
            ([status, reply]) => status.startsWith("2") && hasValues(reply),
          ),
        )
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    )
    .sort();
}

const metadataKeys = [
  "createdAt",
  "id",
  "keys",
  "name",
  "owner",
  "ownerId",
  "private",
  "updatedAt",
  "version",
];

describeOnEachDatabase((dialect, get) => {
  let server: InputTestServer;
  let writer: string;
  let routes: string[];
  beforeAll(async () => {
    server = get();
    writer = await server.user(`prefer-writer-${dialect}`, "writer");
    const document = await call(server, undefined, "GET", "/api/v1/openapi.json");
    routes = writeRoutesWithValues(document.body as Parameters<typeof writeRoutesWithValues>[0]);
  });

  const read = async (id: string) =>
    (await call(server, writer, "GET", `/api/v1/secrets/${id}`)).body as { values: Record<string, string> };

  it("knows a request for every write route whose reply can carry values, and documents the header on each", async () => {
    expect(routes).toEqual(Object.keys(WRITES).sort());
    const document = (await call(server, undefined, "GET", "/api/v1/openapi.json")).body as {
      paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>>;
    };
    for (const route of routes) {
      const [method, path] = route.split(" ") as [string, string];
      const parameters = document.paths[path]![method.toLowerCase()]!.parameters ?? [];
      expect(parameters, route).toContainEqual(expect.objectContaining({ in: "header", name: "prefer" }));
    }
  });

  it.each(Object.entries(WRITES))("%s: with return=minimal, metadata only", async (route, write) => {
    const tag = `min-${route.replace(/\W+/g, "-")}`;
    const reply = await write.send(server, writer, tag, { prefer: "return=minimal" });
    expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(300);
    expect(reply.headers.get("preference-applied")).toBe("return=minimal");
    expect(reply.headers.get("vary")).toMatch(/prefer/i);
    expect(Object.keys(reply.body).sort()).toEqual(metadataKeys);
    expect(reply.headers.get("etag")).toBe(`"${reply.body.version}"`);
    expect(JSON.stringify(reply.body)).not.toContain("fake-prefer-");
    // The write itself happened, in full.
    expect((await read(reply.body.id as string)).values).toEqual(write.stored(tag));
  });

  it.each(Object.entries(WRITES))("%s: without the header, the reply is as before", async (route, write) => {
    const tag = `full-${route.replace(/\W+/g, "-")}`;
    const reply = await write.send(server, writer, tag, {});
    expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(300);
    expect(reply.headers.get("preference-applied")).toBeNull();
    const expected = write.echoesValues ? [...metadataKeys, "values"].sort() : metadataKeys;
    expect(Object.keys(reply.body).sort()).toEqual(expected);
    if (write.echoesValues) expect(reply.body.values).toEqual(write.stored(tag));
    expect((await read(reply.body.id as string)).values).toEqual(write.stored(tag));
  });

  it.each(
    [
      ["return=representation", false],
      ["return=MINIMAL", false],
      ["return=representation, return=minimal", false],
      ['respond-async, wait=5, return="minimal"; x=y', true],
      ['return="minimal', false],
      [";;;,,,===", false],
      ['"', false],
      ["return=minimal\u00ff", false],
      ["x".repeat(4000), false],
    ].map(([header, applied]) => [
      String(header).length > 60
        ? `${String(header).slice(0, 12)}… (${String(header).length} characters)`
        : header,
      header as string,
      applied as boolean,
    ]),
  )("Prefer: %j is applied (%s) or ignored, never refused", async (_label, header, applied) => {
    const tag = `odd-${Buffer.from(header.slice(0, 40), "latin1").toString("hex")}`;
    const reply = await WRITES["POST /api/v1/secrets"]!.send(server, writer, tag, { prefer: header });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    expect(reply.headers.get("preference-applied")).toBe(applied ? "return=minimal" : null);
    expect("values" in reply.body).toBe(!applied);
  });

  it("a refused write with the preference is the same error as without it", async () => {
    const secret = await secretOf(server, writer, "stale");
    const attempt = (headers: Record<string, string>) =>
      send(
        server,
        writer,
        "PATCH",
        `/api/v1/secrets/${secret.id}`,
        { values: { K: "fake-prefer-x" } },
        {
          "if-match": '"7"',
          ...headers,
        },
      );
    const plain = await attempt({});
    const minimal = await attempt({ prefer: "return=minimal" });
    expect(plain.status).toBe(412);
    expect(minimal.status).toBe(412);
    expect(minimal.body).toEqual(plain.body);
  });
});

/**
 * Generated requests for the fuzz suite (fast-check arbitraries).
 *
 * A request is abstract: where it names something that exists only at run time — a secret's id,
 * a token's id, the last list cursor — it holds a slot that each run fills in from what that
 * run's server answered. So one seeded sequence replays on SQLite, PostgreSQL and MySQL and the
 * answers can be compared request by request.
 *
 * Roughly two thirds of each field is plausible (names, keys and values from small pools, so that
 * requests reach deep into the handlers and hit existing secrets), one third hostile: NUL bytes,
 * lone surrogates, invalid UTF-8, huge, negative and fractional numbers, deep nesting, proto keys,
 * long strings, bad cursors and bad %-escapes.
 */
import fc from "fast-check";
import type { JsonSchema, RouteSpec } from "./routes.js";

export type Slot =
  | { kind: "text"; value: string }
  | { kind: "raw"; value: string }
  | { kind: "secret"; index: number }
  | { kind: "token"; index: number }
  | { kind: "cursor" }
  /** The last cursor with its sort value replaced (`k: "abc"` where a number belongs), MAC kept. */
  | { kind: "tampered-cursor"; k: unknown };

export type Body =
  | { kind: "none" }
  | { kind: "json"; value: unknown }
  | { kind: "text"; text: string }
  | { kind: "invalid-utf8"; before: string; after: string };

export type Auth = "admin" | "writer" | "reader" | "value-reader" | "none" | "bad";

export interface FuzzRequest {
  route: RouteSpec;
  params: Record<string, Slot>;
  query: Array<[string, Slot]>;
  body: Body;
  auth: Auth;
  headers: Record<string, string>;
}

// --- pools ------------------------------------------------------------------------------------

export const SECRET_NAMES = ["db", "api", "café", "cafe\u0301", "a.b", "x y", "Ünï😀"];
/** Users the fuzz may create, re-role and delete; never the setup users whose tokens it uses. */
export const FUZZ_USERS = ["alice", "bob", "carol"];
const KEYS = [
  "user",
  "password",
  "k",
  "smtp.host",
  "__proto__",
  "constructor",
  "prototype",
  "hasOwnProperty",
];
const FAKE_VALUES = ["fake-1", "fake-2", "", "{{db.user}}", "ünï"];

const BAD_ESCAPES = ["%", "%E0%A4%A", "%FF", "%ED%A0%80", "%C0%AF", "a%2", "%%00"];

function deep(depth: number): unknown {
  let value: unknown = "{{db.user}}";
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

const hostileString = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom("\u0000", "a\u0000b", "db\u0000", "\u0000\u0000", "\ud800", "a\udc00"),
  },
  fc.constantFrom(
    "\ud800",
    "x\udfffy",
    "",
    " ",
    " db ",
    "db ",
    "\t",
    "line\nbreak",
    "cafe\u0301",
    "__proto__",
    "constructor",
    "prototype",
    "hasOwnProperty",
    "%",
    "%00",
    "😀",
    "DB",
    "-1",
    "1e400",
    "1.5",
    "NaN",
    "null",
    "true",
    "' OR 1=1 --",
    "{{db",
    "\\{{db.user}}",
    "00000000-0000-4000-8000-000000000000",
  ),
  fc.string({ maxLength: 12 }),
  fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
    maxLength: 8,
  }),
  fc.integer({ min: 200, max: 3000 }).map((length) => "x".repeat(length)),
);

const hostileNumber = fc.oneof(
  fc.constantFrom(1.23456789, -1, 0, -0, 0.5, 1e308, -1e308, 2 ** 53 + 1, 1e-7, 3651, 10_001),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

const protoObject = fc.constantFrom(
  Object.fromEntries([["__proto__", "fake"]]),
  Object.fromEntries([["constructor", { prototype: { polluted: "yes" } }]]),
  Object.fromEntries([["__proto__", { polluted: "yes" }]]),
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 3, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom([], {}, ["a", 1], [null]) },
  { weight: 1, arbitrary: protoObject },
  { weight: 1, arbitrary: fc.constantFrom(deep(300), deep(40)) },
);

const validValues = fc
  .array(fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...FAKE_VALUES)), { maxLength: 4 })
  .map((entries) => Object.fromEntries(entries));

const hostileValues = fc.oneof(
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...KEYS), hostileString),
        fc.oneof(fc.constantFrom(...FAKE_VALUES), hostileValue),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((entries) => Object.fromEntries(entries)),
  fc.constant({ big: "x".repeat(5000) }),
  hostileValue,
);

const documents = fc.oneof(
  fc.constantFrom(
    "{{db.user}}",
    { url: "postgres://{{db.user}}:{{db.password}}@host", list: ["{{api.k}}", '{{"x y".user}}'] },
    "{{missing.k}}",
    "{{db.constructor}}",
    "{{db.__proto__}}",
    '{{"a\\u0000".k}}',
    "{{db",
    "\\{{literal}}",
    { "{{db.user}}": "key, not a reference" },
  ),
  hostileValue,
);

// --- fields -----------------------------------------------------------------------------------

function plausible(route: RouteSpec, field: string, schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (field) {
    case "values":
      return validValues;
    case "removeKeys":
      return fc.array(fc.constantFrom(...KEYS), { maxLength: 2 });
    case "document":
      return documents;
    case "name":
      return route.path.startsWith("/api/v1/users")
        ? fc.constantFrom(...FUZZ_USERS)
        : fc.constantFrom(...SECRET_NAMES);
    case "user":
      return fc.constantFrom(...FUZZ_USERS, "writer");
    case "description":
      return fc.constantFrom("ci", "ünï token", "");
    case "expiresInDays":
      return fc.integer({ min: 1, max: 3650 });
    case "batchSize":
      return fc.integer({ min: 1, max: 10_000 });
  }
  if (schema.type === "boolean") return fc.boolean();
  if (schema.type === "integer") return fc.integer({ min: schema.minimum ?? 0, max: schema.maximum ?? 100 });
  return fc.constantFrom("fake");
}

function field(route: RouteSpec, name: string, schema: JsonSchema): fc.Arbitrary<unknown> {
  const hostile = name === "values" ? hostileValues : hostileValue;
  return fc.oneof(
    { weight: 2, arbitrary: plausible(route, name, schema) },
    { weight: 1, arbitrary: hostile },
  );
}

function jsonBody(route: RouteSpec, schema: JsonSchema): fc.Arbitrary<unknown> {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const entries = properties.map(([name, propertySchema]) =>
    fc
      .tuple(fc.integer({ min: 0, max: 99 }), field(route, name, propertySchema))
      .map(([roll, value]): Array<[string, unknown]> => {
        // Required fields are left out now and then; optional ones about half the time.
        const keep = required.has(name) ? roll >= 8 : roll >= 50;
        return keep ? [[name, value]] : [];
      }),
  );
  const extra = fc.oneof(
    { weight: 18, arbitrary: fc.constant([] as Array<[string, unknown]>) },
    { weight: 1, arbitrary: fc.constant([["__proto__", { polluted: "yes" }]] as Array<[string, unknown]>) },
    {
      weight: 1,
      arbitrary: fc.tuple(hostileString, hostileValue).map((pair) => [pair] as Array<[string, unknown]>),
    },
  );
  return fc
    .tuple(fc.tuple(...entries), extra)
    .map(([parts, more]) => Object.fromEntries([...parts.flat(), ...more]));
}

function deepText(depth: number, wrap: (inner: string) => string): string {
  return wrap(`${"[".repeat(depth)}"{{db.user}}"${"]".repeat(depth)}`);
}

const rawBodies = fc.constantFrom(
  deepText(20_000, (inner) => `{"document":${inner}}`),
  deepText(100_000, (inner) => `{"document":${inner}}`),
  deepText(5_000, (inner) => `{"values":${inner}}`),
  '{"name":',
  "not json",
  "[]",
  "null",
  '"just a string"',
  '{"values":{"k":"\\ud800"}}',
  '{"name":"db","name":"api","values":{}}',
  '{"values":{"k":"fake","k":"again"}}',
);

function body(route: RouteSpec): fc.Arbitrary<Body> {
  const schema = route.body;
  const json = schema ? jsonBody(route, schema) : hostileValue;
  return fc.oneof(
    { weight: schema ? 14 : 1, arbitrary: json.map((value): Body => ({ kind: "json", value })) },
    { weight: schema ? 1 : 12, arbitrary: fc.constant<Body>({ kind: "none" }) },
    { weight: 1, arbitrary: hostileValue.map((value): Body => ({ kind: "json", value })) },
    { weight: 1, arbitrary: rawBodies.map((text): Body => ({ kind: "text", text })) },
    {
      weight: 1,
      arbitrary: json.map((value): Body => {
        // Invalid UTF-8 bytes inside the JSON text (the replay puts 0xFF 0xFE between the halves).
        const text = JSON.stringify(value ?? null) ?? "null";
        const cut = Math.max(1, text.indexOf('"') + 1);
        return { kind: "invalid-utf8", before: text.slice(0, cut), after: text.slice(cut) };
      }),
    },
  );
}

function querySlot(name: string, schema: JsonSchema): fc.Arbitrary<Slot> {
  const text = (values: string[]) =>
    fc.constantFrom(...values).map((value): Slot => ({ kind: "text", value }));
  let plausibleSlot: fc.Arbitrary<Slot>;
  if (schema.enum) plausibleSlot = text(schema.enum.map(String));
  else if (name === "cursor")
    plausibleSlot = fc.oneof(
      { weight: 3, arbitrary: fc.constant<Slot>({ kind: "cursor" }) },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom<unknown>("abc", 1.5, -1, 1e308, null, "\u0000", { a: 1 }, "x".repeat(300))
          .map((k): Slot => ({ kind: "tampered-cursor", k })),
      },
      {
        weight: 1,
        // Hand-made: what cursors were before they were signed (base64url JSON, no MAC).
        arbitrary: fc.constantFrom<unknown>("abc", 1, "db").map(
          (k): Slot => ({
            kind: "text",
            value: Buffer.from(
              JSON.stringify({ k, i: "00000000-0000-4000-8000-000000000000", q: "x" }),
            ).toString("base64url"),
          }),
        ),
      },
    );
  else if (name === "owner") plausibleSlot = text(["admin", "writer", "alice"]);
  else if (name === "limit") plausibleSlot = text(["1", "2", "50", "1000"]);
  else if (name.endsWith("_after") || name.endsWith("_before"))
    plausibleSlot = text(["2020-01-01T00:00:00Z", "2100-01-01T00:00:00.000+02:00"]);
  else if (name.startsWith("name_")) plausibleSlot = text(["d", "b", "é", "a.", "😀", "x "]);
  else plausibleSlot = text(SECRET_NAMES);
  return fc.oneof(
    { weight: 13, arbitrary: plausibleSlot },
    { weight: 6, arbitrary: hostileString.map((value): Slot => ({ kind: "text", value })) },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_ESCAPES).map((value): Slot => ({ kind: "raw", value })) },
  );
}

function pathSlot(route: RouteSpec): fc.Arbitrary<Slot> {
  const existing: fc.Arbitrary<Slot> = route.path.startsWith("/api/v1/users")
    ? fc.constantFrom(...FUZZ_USERS).map((value): Slot => ({ kind: "text", value }))
    : fc
        .nat(50)
        .map(
          (index): Slot =>
            route.path.startsWith("/api/v1/tokens") ? { kind: "token", index } : { kind: "secret", index },
        );
  return fc.oneof(
    { weight: 12, arbitrary: existing },
    {
      weight: 1,
      arbitrary: fc.constant<Slot>({ kind: "text", value: "00000000-0000-4000-8000-000000000000" }),
    },
    { weight: 5, arbitrary: hostileString.map((value): Slot => ({ kind: "text", value })) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...BAD_ESCAPES).map((value): Slot => ({ kind: "raw", value })),
    },
  );
}

const auth = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Auth>("admin") },
  { weight: 3, arbitrary: fc.constant<Auth>("writer") },
  { weight: 2, arbitrary: fc.constant<Auth>("reader") },
  { weight: 1, arbitrary: fc.constant<Auth>("value-reader") },
  { weight: 1, arbitrary: fc.constant<Auth>("none") },
  { weight: 1, arbitrary: fc.constant<Auth>("bad") },
);

const headers = fc.oneof(
  { weight: 16, arbitrary: fc.constant<Record<string, string>>({}) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom('"1"', '"2"', "*", "yesterday", '"99999999999999999999"', 'W/"1"', '"-1"', '"1.5"')
      .map((value) => ({ "if-match": value })),
  },
  { weight: 1, arbitrary: fc.constant({ "if-none-match": "*" }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { "content-type": "text/plain" },
      { "content-type": "application/x-www-form-urlencoded" },
    ),
  },
);

export function requestFor(route: RouteSpec): fc.Arbitrary<FuzzRequest> {
  const params = fc.record(Object.fromEntries(route.pathParams.map((param) => [param, pathSlot(route)])));
  const query = fc.tuple(
    ...route.query.map(({ name, schema }) =>
      fc
        .tuple(fc.integer({ min: 0, max: 99 }), querySlot(name, schema))
        .map(([roll, slot]) => (roll < 30 ? [[name, slot] as [string, Slot]] : [])),
    ),
    fc.oneof(
      { weight: 30, arbitrary: fc.constant([] as Array<[string, Slot]>) },
      {
        weight: 1,
        arbitrary: hostileString.map((value) => [["unknown", { kind: "text", value }] as [string, Slot]]),
      },
    ),
  );
  return fc
    .record({ params, query, body: body(route), auth, headers })
    .map(({ params, query, body, auth, headers }) => ({
      route,
      params: params as Record<string, Slot>,
      query: (query as Array<Array<[string, Slot]>>).flat(),
      body,
      auth,
      headers,
    }));
}

/** Any route, each equally likely. */
export function anyRequest(routes: RouteSpec[]): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(...routes.map((route) => requestFor(route)));
}

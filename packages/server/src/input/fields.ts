/**
 * Field rules for the request schemas, shared by every route: what a string that reaches a query
 * may hold, and what secret values look like on the wire. Checked by the schema, so a bad input is
 * a typed 400 before any handler (or query) runs, the same on SQLite, PostgreSQL and MySQL.
 */
import { nonStringValueHint } from "@coffer/core";
import { z } from "zod";

/**
 * A string that may reach a database query: no NUL (PostgreSQL cannot hold one in text, so the
 * query failed there with a 500 while SQLite and MySQL answered) and no lone surrogate (drivers
 * silently store it as U+FFFD).
 */
export function queryText() {
  return z.string().check((ctx) => {
    if (ctx.value.includes("\u0000")) {
      ctx.issues.push({
        code: "custom",
        input: ctx.value,
        message: "it contains a NUL character (U+0000), which no name, filter or identifier may hold",
      });
    } else if (!ctx.value.isWellFormed()) {
      ctx.issues.push({
        code: "custom",
        input: ctx.value,
        message: "it is not well-formed Unicode (it holds a lone surrogate)",
      });
    }
  });
}

/** The user-name rule: the identity store's own check and the API's inputs both use it. */
export const USER_NAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/;
export function userName() {
  return z.string().regex(USER_NAME, {
    message: "it is not a user name (1–64 lowercase letters, digits, dots, dashes, underscores or @)",
  });
}

/** A token id: the 12 lowercase letters or digits after `coffer_` in a token. */
export function tokenId() {
  return z
    .string()
    .regex(/^[a-z0-9]{12}$/, { message: "it is not a token id (12 lowercase letters or digits)" });
}

/**
 * Secret values on the wire: an object of string values (with `nullable`, null too: PATCH's
 * "remove this key").
 *
 * Not `z.record`: zod drops a `__proto__` key from the objects it builds (so that it cannot set
 * their prototype), which would silently lose a key the client sent. Here the object JSON.parse
 * made is checked and passed on as it is — its keys are own properties, whatever their names — so
 * `__proto__`, `constructor`, `prototype` and `hasOwnProperty` are ordinary keys that round-trip.
 * The JSON schema (for OpenAPI) is given by hand, as a record of strings.
 */
export function stringValues(description: string) {
  return valueMap<string>({ nullable: false, description });
}

/** Like stringValues, where null (remove this key) is allowed too. */
export function nullableStringValues(description: string) {
  return valueMap<string | null>({ nullable: true, description });
}

function valueMap<V>(options: { nullable: boolean; description: string }) {
  const valueSchema = options.nullable ? { type: ["string", "null"] } : { type: "string" };
  return z
    .custom<Record<string, V>>()
    .check((ctx) => {
      const input = ctx.value as unknown;
      if (input === null || typeof input !== "object" || Array.isArray(input)) {
        ctx.issues.push({
          code: "custom",
          input,
          message: "expected an object of key/value pairs",
          params: { hint: 'Send values as an object such as {"username": "app"}.' },
        });
        return;
      }
      for (const [key, value] of Object.entries(input)) {
        if (typeof value === "string" || (options.nullable && value === null)) continue;
        ctx.issues.push({
          code: "custom",
          input: value,
          path: [key],
          message: `the value is ${describe(value)}, not a string`,
          params: { hint: nonStringValueHint(value) },
        });
        return;
      }
    })
    .meta({
      type: "object",
      propertyNames: { type: "string" },
      additionalProperties: valueSchema,
      description: options.description,
    } as Record<string, unknown>);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

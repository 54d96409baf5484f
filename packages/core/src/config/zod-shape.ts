/**
 * Reading an options schema's shape: which options it has and what kind each one is (number,
 * boolean, JSON…), looking through optional/default/transform wrappers. Zod 4 keeps this in
 * `schema._zod.def`, which it documents for library authors; this is the one place that reads it.
 */
import type { z } from "zod";

interface ZodInternals {
  _zod?: {
    def?: { type?: string; innerType?: ZodInternals; in?: ZodInternals; shape?: Record<string, z.ZodType> };
  };
}

/** The fields of an object schema, looking through optional/default/transform wrappers. */
export function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let current = schema as unknown as ZodInternals | undefined;
  for (let depth = 0; current && depth < 10; depth++) {
    const def = current._zod?.def;
    if (!def) return undefined;
    if (def.type === "object") return def.shape;
    current = def.innerType ?? def.in;
  }
  return undefined;
}

/** The option names of an options schema (empty when it is not an object schema). */
export function optionNames(schema: z.ZodType): string[] {
  return Object.keys(objectShape(schema) ?? {});
}

/** The zod type under the wrappers: "number", "boolean", "object", "string"… */
export function baseKind(schema: z.ZodType): string | undefined {
  let current = schema as unknown as ZodInternals | undefined;
  for (let depth = 0; current && depth < 10; depth++) {
    const def = current._zod?.def;
    if (!def) return undefined;
    if (def.innerType) current = def.innerType;
    else if (def.type === "pipe" && def.in) current = def.in;
    else return def.type;
  }
  return undefined;
}

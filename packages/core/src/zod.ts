// The zod that store option schemas are written with. Stores and plugins take it from
// `@coffer/core` (`import { z } from "@coffer/core"`) so that their schemas and the config loader
// that reads them share one zod.
//
// Why a list rather than `export { z } from "zod"`: re-exporting zod's namespace object keeps all
// of zod — forty-odd locales, JSON Schema conversion, the schema compiler — in anything bundled
// with core, and the `coffer` command paid for evaluating it on every start. These are the schema
// builders an options schema needs; every zod type stays available (`z.ZodString`, `z.output<…>`).
// A plugin that wants more of zod can depend on zod itself: any zod 4 schema is accepted.
export type * from "zod";
export {
  any,
  array,
  bigint,
  boolean,
  coerce,
  custom,
  date,
  discriminatedUnion,
  email,
  enum,
  int,
  iso,
  literal,
  looseObject,
  never,
  null,
  nullable,
  number,
  object,
  optional,
  pipe,
  preprocess,
  record,
  strictObject,
  string,
  stringbool,
  transform,
  tuple,
  undefined,
  union,
  unknown,
  url,
  uuid,
  ZodError,
} from "zod";

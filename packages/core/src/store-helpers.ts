/**
 * Small pieces every store adapter needs and would otherwise write again: options parsed into a
 * typed error, a timed health probe that never throws, and recognising network failures.
 */
import type { z } from "zod";
import { InvalidConfigError, isCofferError } from "./errors.js";
import type { HealthReport } from "./store.js";

/** Parses a store's options with its schema; a problem is an InvalidConfigError naming the option. */
export function parseStoreOptions<Schema extends z.ZodType>(
  type: string,
  schema: Schema,
  options: unknown,
): z.output<Schema> {
  const parsed = schema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const option = issue.path.length > 0 ? `option '${issue.path.join(".")}'` : "options";
  throw new InvalidConfigError(`The '${type}' store's ${option} is invalid: ${issue.message}.`, {
    hint: `Fix the ${option} of the '${type}' store.`,
    details: { type, problems: parsed.error.issues.map((each) => each.message) },
  });
}

/**
 * Runs `check` and reports how it went, timed. Never throws: a typed error becomes status "error"
 * with its code (and its message, followed by its hint with `withHint`); anything else becomes
 * `fallbackMessage` (driver messages can carry request data).
 */
export async function probeHealth(
  check: () => Promise<string | undefined>,
  fallbackMessage: string,
  options: { withHint?: boolean } = {},
): Promise<HealthReport> {
  const started = performance.now();
  try {
    const message = await check();
    return { status: "ready", latencyMs: performance.now() - started, ...(message ? { message } : {}) };
  } catch (error) {
    return {
      status: "error",
      latencyMs: performance.now() - started,
      message: isCofferError(error) ? (options.withHint ? error.oneLine : error.message) : fallbackMessage,
      ...(isCofferError(error) ? { errorCode: error.code } : {}),
    };
  }
}

/** Socket-level error codes that mean "could not reach the backend" (retryable). */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
]);

/** True when `error` (or its cause) is a network failure: the backend could not be reached. */
export function isNetworkError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_ERROR_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

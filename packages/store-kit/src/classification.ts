/**
 * Classification tables: how a store turns "what its SDK threw" into a kit Failure without writing
 * the same if-chain again. A store reads the facts of an error once (`code`, `status`, and details
 * it wants kept), then lists rules: the first rule that matches gives the kind, and optionally the
 * reason and hint only that backend can give. What the rules cannot say (a reason built from the
 * server's text, a code that depends on the error) stays in the store, as a rule's functions.
 */
import type { ErrorDetails } from "@coffer/core";
import type { Failure, FailureContext, FailureKind } from "./error-mapping.js";

/** What a store reads off an error before its rules look at it. */
export interface ErrorFacts {
  /** The backend's error code (or the network error's code); becomes the failure's `code`. */
  code?: string;
  /** The HTTP status (or another numeric status); becomes the failure's `status`. */
  status?: number;
  /** Details every failure of this error carries (e.g. a request id). */
  details?: ErrorDetails;
}

/** One row of a table. It matches when any of `codes`, `status` or `when` does. */
export interface ClassificationRule<E = unknown> {
  codes?: ReadonlySet<string>;
  status?: readonly number[] | ((status: number) => boolean);
  when?: (error: E, facts: ErrorFacts, context: FailureContext) => boolean;
  kind: FailureKind;
  reason?: string | ((error: E) => string);
  hint?: string | ((error: E, facts: ErrorFacts) => string);
  details?: ErrorDetails;
  /** Replaces the facts' code on the failure (a TLS code found on a cause, say); `null` drops it. */
  code?: (error: E, facts: ErrorFacts) => string | null;
}

/** A set of codes written as space-separated lists: `codes("A B", "C")`. */
export function codes(...lists: string[]): ReadonlySet<string> {
  return new Set(lists.join(" ").split(" ").filter(Boolean));
}

function matches<E>(rule: ClassificationRule<E>, error: E, facts: ErrorFacts, context: FailureContext) {
  const { code, status } = facts;
  if (rule.codes && code !== undefined && rule.codes.has(code)) return true;
  if (rule.status && status !== undefined) {
    if (typeof rule.status === "function" ? rule.status(status) : rule.status.includes(status)) return true;
  }
  return rule.when?.(error, facts, context) === true;
}

/** The failure the first matching rule gives, or undefined when none matches. */
export function classifyByRules<E>(
  rules: readonly ClassificationRule<E>[],
  error: E,
  facts: ErrorFacts,
  context: FailureContext = { operation: "" },
): Failure | undefined {
  const rule = rules.find((candidate) => matches(candidate, error, facts, context));
  if (rule === undefined) return undefined;
  const code = rule.code ? rule.code(error, facts) : facts.code;
  const details = facts.details || rule.details ? { ...facts.details, ...rule.details } : undefined;
  return {
    kind: rule.kind,
    ...(code != null && { code }),
    ...(facts.status !== undefined && { status: facts.status }),
    ...(rule.reason !== undefined && {
      reason: typeof rule.reason === "function" ? rule.reason(error) : rule.reason,
    }),
    ...(rule.hint !== undefined && {
      hint: typeof rule.hint === "function" ? rule.hint(error, facts) : rule.hint,
    }),
    ...(details !== undefined && { details }),
  };
}

/** Statuses of a server error or of throttling: 429 and every 5xx. */
export const RETRYABLE_STATUS = (status: number): boolean => status === 429 || status >= 500;

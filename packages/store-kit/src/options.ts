/**
 * Option fragments every store declares the same way: one name, one range, one meaning.
 *
 *   timeoutMs    the deadline of one backend operation, retries included: 100 ms to 600 s, default 30 s
 *   tlsCa        PEM text of the CA certificate(s) to trust. A file is given as `@/path/to/ca.pem`,
 *                which the configuration loader reads (defineBackend lists tlsCa in fileOptions)
 *   httpUrl      an http(s) endpoint or address
 *   namePrefix   the first part of every backend name, in the backend's charset, default "coffer"
 *   concurrency  reads one getMany keeps in flight: 1 to 64, default 8
 *   maxVersions  revisions kept per secret: 1 to the backend's limit (100 unless given), default 10
 *   extraMarks   the operator's extra tags or labels: a map, within the backend's count, never
 *                one of Coffer's ownership marks
 */
import { readFileReference, z } from "@coffer/core";
import { OWNER_MARKS } from "./ownership.js";

export const MAX_TIMEOUT_MS = 600_000;
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Milliseconds one operation may take before it is abandoned as unavailable. */
export const timeoutMs = () => z.number().int().min(100).max(MAX_TIMEOUT_MS).default(DEFAULT_TIMEOUT_MS);

const PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----";

/**
 * CA certificate(s) to trust, as PEM text. A deployment names a file (`fileOptions`), which the
 * loader reads before the schema runs; programs that build a store's options themselves (embedders,
 * tests) skip the loader, so a leftover `@/path` is read here, with the loader's error.
 */
export const tlsCa = () =>
  z.preprocess(
    (value) => readFileReference(value, "tlsCa"),
    z
      .string()
      .min(1)
      .refine(
        (pem) => pem.includes(PEM_CERTIFICATE),
        "must hold a PEM certificate (-----BEGIN CERTIFICATE-----…); give a file as @/path/to/ca.pem",
      ),
  );

/** Reports a problem with one option from a schema's superRefine, naming the option. */
export function optionProblem(context: z.RefinementCtx, option: string, message: string): void {
  context.addIssue({ code: "custom", path: [option], message });
}

/** The names every store registration lists in `fileOptions` when it declares `tlsCa`. */
export const TLS_FILE_OPTIONS: readonly string[] = ["tlsCa"];

/** An http or https URL (an endpoint, a server address). */
export const httpUrl = () => z.url({ protocol: /^https?$/ });

/** The first part of every backend name: `pattern` is the backend's charset and length, `rule` says it. */
export const namePrefix = (pattern: RegExp, rule: string) =>
  z.string().regex(pattern, rule).default("coffer");

/** How many reads getMany runs at once. */
export const concurrency = () => z.number().int().min(1).max(64).default(8);

export const DEFAULT_MAX_VERSIONS = 10;

/** Revisions kept readable per secret (1 to `max`, the backend's limit); older ones go by the backend's own mechanism. */
export const maxVersions = (max = 100) => z.number().int().min(1).max(max).default(DEFAULT_MAX_VERSIONS);

/** How one backend counts and spells extra marks. */
export interface MarkRules {
  /** "tag" or "label": the backend's word, in messages. */
  noun: string;
  /** The service, in the count message ("Key Vault allows 15"). */
  service: string;
  /** Marks a secret may carry in all, Coffer's own included. */
  max: number;
  /** Marks the store writes besides the ownership marks (e.g. a revision tag): counted and refused too. */
  own?: readonly string[];
  /** What is wrong with one entry (key and value), or undefined when it is fine. */
  entry: (key: string, value: string) => string | undefined;
}

/**
 * The operator's extra tags or labels on every secret: at most `max` less Coffer's own marks, never
 * one of those marks (an operator tag could otherwise forge ownership), each entry by the backend's
 * rules. Defaults to none.
 */
export const extraMarks = ({ noun, service, max, own = [], entry }: MarkRules) =>
  z
    .record(z.string(), z.string())
    .superRefine((marks, context) => {
      const entries = Object.entries(marks);
      const coffers = [...OWNER_MARKS, ...own];
      const room = max - coffers.length;
      if (entries.length > room) {
        const message = `at most ${room} ${noun}s (${service} allows ${max}; Coffer uses ${coffers.length})`;
        context.addIssue({ code: "custom", message });
      }
      for (const [key, value] of entries) {
        const problem = coffers.includes(key)
          ? `${noun} '${key}' is set by Coffer itself`
          : entry(key, value);
        if (problem !== undefined) context.addIssue({ code: "custom", message: problem });
      }
    })
    .default({});

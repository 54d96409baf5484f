/**
 * The gcp store's options, as operators give them (COFFER_STORE_<OPTION> or `store:` in the file).
 * Every rule GCP would enforce on first use (label syntax, name lengths) is checked here, so a bad
 * setting fails at start with the variable's name instead of on the first write.
 */
import { z } from "@coffer/core";
import * as kit from "@coffer/store-kit";

// GCP's label rules (https://cloud.google.com/resource-manager/docs/labels-overview): keys start
// with a lowercase letter; keys and values use lowercase letters, digits, `_` and `-` (international
// lowercase letters included), at most 63 characters and 128 bytes each, at most 64 labels.
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;
export const MAX_LABELS = 64;

/** A GCP project id (6–30 characters), optionally domain-scoped, or a project number. */
const PROJECT = /^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$|^[0-9]{1,19}$/;
const LOCATION = /^[a-z][a-z0-9-]{0,62}$/;
/** The first part of every secret id: GCP's secret id charset, short enough to leave room for the rest. */
const NAME_PREFIX = /^[A-Za-z0-9_-]{1,64}$/;

/** What is wrong with one label, by GCP's rules, or undefined. */
function labelProblem(key: string, text: string): string | undefined {
  if (!LABEL_KEY.test(key) || Buffer.byteLength(key) > 128)
    return `label key '${key}' must start with a lowercase letter and hold only lowercase letters, digits, '_' and '-' (at most 63)`;
  if (!LABEL_VALUE.test(text) || Buffer.byteLength(text) > 128)
    return `label '${key}' has a value that is not lowercase letters, digits, '_' and '-' (at most 63)`;
  return undefined;
}

export const gcpStoreOptions = z
  .object({
    /** The project that holds the secrets (its id, or its number). */
    project: z.string().regex(PROJECT, "must be a GCP project id such as 'my-project-123'"),
    /** Keep secrets in this region (regional secrets) instead of global ones with automatic replication. */
    location: z.string().regex(LOCATION, "must be a GCP location such as 'europe-west1'").optional(),
    ...kit.gcpConnectionOptions,
    /** Extra labels on every secret, e.g. {"team":"payments"}. */
    labels: kit.extraMarks({ noun: "label", service: "GCP", max: MAX_LABELS, entry: labelProblem }),
    /** The first part of every secret id. */
    namePrefix: kit.namePrefix(NAME_PREFIX, "must be 1-64 letters, digits, '_' or '-'"),
    /** Versions kept per secret (revisions readable); older ones are destroyed after an update. */
    maxVersions: kit.maxVersions(),
    /** How many reads getMany runs at once. */
    concurrency: kit.concurrency(),
    /** Deadline of one operation, the client library's own retries included. */
    timeoutMs: kit.timeoutMs(),
  })
  .strict()
  .superRefine(kit.checkGcpConnection);

export type GcpStoreOptions = z.input<typeof gcpStoreOptions>;
export type ParsedGcpStoreOptions = z.output<typeof gcpStoreOptions>;

// Field rules from the Secret Manager v1 protos (resources.proto / service.proto comments).
import { invalidArgument } from "./errors.js";
import type { Replication, Topic } from "./messages.js";

const utf8Bytes = (s: string) => Buffer.byteLength(s, "utf8");

/** "A secret ID is a string with a maximum length of 255 characters and can contain uppercase and
 * lowercase letters, numerals, and the hyphen (-) and underscore (_) characters." */
export function validateSecretId(secretId: string): void {
  if (!secretId) throw invalidArgument("secret_id must be specified.");
  if (secretId.length > 255 || !/^[A-Za-z0-9_-]+$/.test(secretId)) {
    throw invalidArgument(
      `Secret id [${secretId}] is invalid: it must be 1 to 255 characters of letters, numerals, hyphens and underscores.`,
    );
  }
}

// Label keys: `[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}`; values: `[\p{Ll}\p{Lo}\p{N}_-]{0,63}`;
// each at most 128 UTF-8 bytes; at most 64 labels per resource.
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;

export function validateLabels(labels: Record<string, string>): void {
  const keys = Object.keys(labels);
  if (keys.length > 64) throw invalidArgument(`A resource may have at most 64 labels; got ${keys.length}.`);
  for (const key of keys) {
    if (!LABEL_KEY.test(key) || utf8Bytes(key) > 128) {
      throw invalidArgument(
        `Label key [${key}] is invalid: it must start with a lowercase letter and contain at most 63 lowercase letters, numerals, underscores or hyphens.`,
      );
    }
    const value = labels[key]!;
    if (!LABEL_VALUE.test(value) || utf8Bytes(value) > 128) {
      throw invalidArgument(
        `Label value for key [${key}] is invalid: it must contain at most 63 lowercase letters, numerals, underscores or hyphens.`,
      );
    }
  }
}

// Annotation keys: 1-63 characters, at most 128 bytes, begin and end with [a-z0-9A-Z], with dashes,
// underscores, dots and alphanumerics between. Keys and values together must be under 16 KiB.
const ANNOTATION_KEY = /^[a-zA-Z0-9](?:[a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?$/;

export function validateAnnotations(annotations: Record<string, string>): void {
  let total = 0;
  for (const [key, value] of Object.entries(annotations)) {
    if (!ANNOTATION_KEY.test(key) || utf8Bytes(key) > 128) {
      throw invalidArgument(`Annotation key [${key}] is invalid.`);
    }
    total += utf8Bytes(key) + utf8Bytes(value);
  }
  if (total >= 16 * 1024) {
    throw invalidArgument("The total size of annotation keys and values must be less than 16KiB.");
  }
}

// Version aliases: at most 63 letters, numerals, hyphens and underscores, starting with a letter,
// not `latest` or `NEW`; at most 50 per secret.
const ALIAS = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

export function validateVersionAliases(aliases: Record<string, string>, versionCount: number): void {
  const entries = Object.entries(aliases);
  if (entries.length > 50) throw invalidArgument("A secret may have at most 50 version aliases.");
  for (const [alias, version] of entries) {
    if (!ALIAS.test(alias) || alias === "latest" || alias === "NEW") {
      throw invalidArgument(`Version alias [${alias}] is invalid.`);
    }
    const n = Number(version);
    if (!Number.isInteger(n) || n < 1 || n > versionCount) {
      throw invalidArgument(`Version alias [${alias}] refers to version [${version}], which does not exist.`);
    }
  }
}

export function validateTopics(topics: Topic[]): void {
  if (topics.length > 10) throw invalidArgument("A secret may have at most 10 Pub/Sub topics.");
  for (const topic of topics) {
    if (!/^projects\/[^/]+\/topics\/[^/]+$/.test(topic.name)) {
      throw invalidArgument(`Topic name [${topic.name}] is invalid; expected projects/*/topics/*.`);
    }
  }
}

/** Global secrets need a replication policy; regional ones are pinned to their location. */
export function validateReplication(replication: Replication | null, regional: boolean): void {
  if (regional) {
    if (replication?.replication) {
      throw invalidArgument("Replication must not be set on a regional secret.");
    }
    return;
  }
  if (!replication?.replication) {
    throw invalidArgument("Secret.replication must be set to automatic or user_managed.");
  }
  if (replication.replication === "userManaged") {
    const replicas = replication.userManaged?.replicas ?? [];
    if (replicas.length === 0) throw invalidArgument("Replication.user_managed.replicas cannot be empty.");
    const seen = new Set<string>();
    for (const replica of replicas) {
      if (!replica.location) throw invalidArgument("Every user-managed replica needs a location.");
      if (seen.has(replica.location)) {
        throw invalidArgument(`Replica location [${replica.location}] is listed more than once.`);
      }
      seen.add(replica.location);
    }
  }
}

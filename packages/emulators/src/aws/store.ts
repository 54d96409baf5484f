/**
 * The in-memory state of the AWS emulator: secrets of one region and account with their versions,
 * staging labels (AWSCURRENT/AWSPREVIOUS/AWSPENDING), version pruning and the recovery window
 * after DeleteSecret. Lookups accept a name, a full ARN or a partial ARN, as the service does.
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "../shared/http.js";
import { invalidParameter, markedForDeletion, secretNotFound } from "./errors.js";

export type SecretValue = { kind: "string"; text: string } | { kind: "binary"; bytes: Buffer };

export interface Tag {
  Key: string;
  Value: string;
}

export interface SecretVersion {
  readonly id: string;
  readonly value: SecretValue;
  /** Staging labels; a version without any is "deprecated" and may be pruned. */
  stages: string[];
  readonly created: number;
  lastAccessed?: number;
}

export interface Secret {
  readonly name: string;
  readonly arn: string;
  /** Creation order, the tie-breaker when two secrets share a CreatedDate. */
  readonly serial: number;
  description?: string;
  kmsKeyId?: string;
  tags: Tag[];
  readonly created: number;
  lastChanged: number;
  lastAccessed?: number;
  /** When DeleteSecret was called (DescribeSecret/ListSecrets `DeletedDate`). */
  deletedAt?: number;
  /** When the recovery window ends and the secret disappears (DeleteSecret `DeletionDate`). */
  purgeAt?: number;
  readonly versions: Map<string, SecretVersion>;
}

export interface StoreOptions {
  region: string;
  accountId: string;
  clock: Clock;
  /** Versions per secret above which deprecated (unlabelled) versions are pruned. */
  versionPruneThreshold: number;
  /** Deprecated versions younger than this are never pruned. */
  deprecatedVersionMinAgeMs: number;
  /** Secrets per region; CreateSecret beyond it is LimitExceededException. */
  maxSecrets: number;
}

const ARN_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const DAY_MS = 86_400_000;

/** The state of one region of one account. */
export class SecretStore {
  readonly #secrets = new Map<string, Secret>();
  #serial = 0;

  constructor(readonly options: StoreOptions) {}

  now(): number {
    return this.options.clock();
  }

  /** Secrets whose recovery window has ended are gone for good, as the service's sweeper does. */
  purgeExpired(): void {
    const now = this.now();
    for (const [name, secret] of this.#secrets) {
      if (secret.purgeAt !== undefined && secret.purgeAt <= now) this.#secrets.delete(name);
    }
  }

  get size(): number {
    return this.#secrets.size;
  }

  all(): Secret[] {
    return [...this.#secrets.values()];
  }

  byName(name: string): Secret | undefined {
    return this.#secrets.get(name);
  }

  /**
   * Finds a secret by name, full ARN, or partial ARN (the ARN without the "-" and six random
   * characters the service appends). Returns undefined when nothing matches.
   */
  find(secretId: string): Secret | undefined {
    if (!secretId.startsWith("arn:")) return this.#secrets.get(secretId);
    for (const secret of this.#secrets.values()) {
      if (secret.arn === secretId) return secret;
    }
    for (const secret of this.#secrets.values()) {
      if (partialArn(secret.arn) === secretId) return secret;
    }
    return undefined;
  }

  /** `find`, or ResourceNotFoundException. */
  get(secretId: string): Secret {
    const secret = this.find(secretId);
    if (!secret) throw secretNotFound();
    return secret;
  }

  /** `get`, refusing a secret that is scheduled for deletion (InvalidRequestException). */
  getActive(secretId: string): Secret {
    const secret = this.get(secretId);
    if (secret.deletedAt !== undefined) throw markedForDeletion();
    return secret;
  }

  newArn(name: string): string {
    const bytes = randomBytes(6);
    let suffix = "";
    for (const byte of bytes) suffix += ARN_SUFFIX_ALPHABET[byte % ARN_SUFFIX_ALPHABET.length];
    const { region, accountId } = this.options;
    return `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${suffix}`;
  }

  insert(init: Pick<Secret, "name" | "description" | "kmsKeyId" | "tags">): Secret {
    const now = this.now();
    const secret: Secret = {
      ...init,
      arn: this.newArn(init.name),
      serial: this.#serial++,
      created: now,
      lastChanged: now,
      versions: new Map(),
    };
    this.#secrets.set(secret.name, secret);
    return secret;
  }

  remove(secret: Secret): void {
    this.#secrets.delete(secret.name);
  }

  clear(): void {
    this.#secrets.clear();
  }

  /**
   * Adds a version and moves staging labels the way PutSecretValue documents: each label is taken
   * off whichever version had it; when AWSCURRENT moves, AWSPREVIOUS goes to the version it left.
   * The first version of a secret always gets AWSCURRENT.
   */
  addVersion(
    secret: Secret,
    id: string,
    value: SecretValue,
    requestedStages: readonly string[],
  ): SecretVersion {
    const stages = [...new Set(requestedStages)];
    if (!currentVersion(secret) && !stages.includes("AWSCURRENT")) stages.push("AWSCURRENT");
    const version: SecretVersion = { id, value, stages: [], created: this.now() };
    const previous = currentVersion(secret);
    secret.versions.set(id, version);
    for (const stage of stages) this.moveStage(secret, stage, version);
    // A new value taking AWSCURRENT also takes AWSPENDING off the version it replaces, as in the
    // recording of test_update_secret_version_stages_current_pending (LocalStack, against AWS).
    if (previous && previous !== version && version.stages.includes("AWSCURRENT")) {
      previous.stages = previous.stages.filter((s) => s !== "AWSPENDING");
    }
    secret.lastChanged = this.now();
    this.prune(secret);
    return version;
  }

  /** Attaches `stage` to `target` (or detaches it everywhere when target is undefined). */
  moveStage(secret: Secret, stage: string, target: SecretVersion | undefined): void {
    const from = [...secret.versions.values()].find((v) => v.stages.includes(stage));
    if (from === target) return;
    if (from) from.stages = from.stages.filter((s) => s !== stage);
    if (target) target.stages.push(stage);
    if (stage === "AWSCURRENT" && from && target) {
      for (const version of secret.versions.values()) {
        version.stages = version.stages.filter((s) => s !== "AWSPREVIOUS");
      }
      from.stages.push("AWSPREVIOUS");
    }
  }

  /**
   * Versions without a staging label are deprecated. When a secret holds more versions than the
   * threshold, the oldest deprecated versions past the minimum age are removed.
   */
  prune(secret: Secret): void {
    const { versionPruneThreshold, deprecatedVersionMinAgeMs } = this.options;
    if (secret.versions.size <= versionPruneThreshold) return;
    const cutoff = this.now() - deprecatedVersionMinAgeMs;
    const candidates = [...secret.versions.values()]
      .filter((v) => v.stages.length === 0 && v.created <= cutoff)
      .sort((a, b) => a.created - b.created);
    for (const version of candidates) {
      if (secret.versions.size <= versionPruneThreshold) break;
      secret.versions.delete(version.id);
    }
  }

  /** Records a read, at the day granularity the service reports. */
  touch(secret: Secret, version: SecretVersion): void {
    const day = Math.floor(this.now() / DAY_MS) * DAY_MS;
    secret.lastAccessed = day;
    version.lastAccessed = day;
  }
}

export function currentVersion(secret: Secret): SecretVersion | undefined {
  return versionWithStage(secret, "AWSCURRENT");
}

export function versionWithStage(secret: Secret, stage: string): SecretVersion | undefined {
  for (const version of secret.versions.values()) {
    if (version.stages.includes(stage)) return version;
  }
  return undefined;
}

export function partialArn(arn: string): string {
  return arn.slice(0, -7);
}

export function sameValue(a: SecretValue, b: SecretValue): boolean {
  if (a.kind === "string" && b.kind === "string") return a.text === b.text;
  if (a.kind === "binary" && b.kind === "binary") return a.bytes.equals(b.bytes);
  return false;
}

/** Reads SecretString/SecretBinary from a request: exactly one must be present when `required`. */
export function valueFromInput(
  input: { SecretString?: string; SecretBinary?: string },
  required: boolean,
): SecretValue | undefined {
  const hasString = input.SecretString !== undefined;
  const hasBinary = input.SecretBinary !== undefined;
  if (hasString && hasBinary) {
    throw invalidParameter(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  if (hasString) return { kind: "string", text: input.SecretString as string };
  if (hasBinary) return { kind: "binary", bytes: Buffer.from(input.SecretBinary as string, "base64") };
  if (required) throw invalidParameter("You must provide either SecretString or SecretBinary.");
  return undefined;
}

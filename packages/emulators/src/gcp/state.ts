// The in-memory Secret Manager: secrets, their versions and IAM policies, with the documented
// rules. Requests and responses are proto-loader message objects (see messages.ts); every failure
// is a GcpStatusError carrying the documented gRPC code. Payloads never appear in error text.
import { randomBytes } from "node:crypto";
import { crc32c } from "./crc32c.js";
import {
  aborted,
  alreadyExists,
  checkEtag,
  failedPrecondition,
  invalidArgument,
  notFound,
  permissionDenied,
} from "./errors.js";
import { compileFilter } from "./filter.js";
import type {
  CustomerManagedEncryption,
  IamPolicy,
  ListRequest,
  Replication,
  Secret,
  SecretPayload,
  SecretVersion,
  Topic,
} from "./messages.js";
import { type ParentName, parseParent, parseSecretName, parseVersionName, type SecretName } from "./names.js";
import { paginate } from "./paging.js";
import {
  Clock,
  type Duration,
  etagAt,
  fromSecondsNanos,
  type Timestamp,
  toDuration,
  toTimestamp,
} from "./time.js";
import {
  validateAnnotations,
  validateLabels,
  validateReplication,
  validateSecretId,
  validateTopics,
  validateVersionAliases,
} from "./validation.js";
import { SECRET_SCHEMA, secretView, VERSION_SCHEMA, versionView } from "./views.js";

/** "The secret data. Must be no larger than 64KiB." */
export const MAX_PAYLOAD_BYTES = 65_536;
const DAY_NS = 86_400n * 1_000_000_000n;
const HOUR_NS = 3_600n * 1_000_000_000n;

export interface StoredVersion {
  number: number;
  createNs: bigint;
  destroyNs?: bigint;
  scheduledDestroyNs?: bigint;
  state: SecretVersion["state"];
  data?: Buffer;
  crc32c: number;
  clientChecksum: boolean;
  etag: string;
}

export interface StoredSecret {
  seq: number;
  name: string;
  parent: string;
  regional: boolean;
  createNs: bigint;
  etag: string;
  replication: Replication | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  tags: Record<string, string>;
  topics: Topic[];
  rotation?: { nextRotationNs?: bigint; periodNs?: bigint };
  expireNs?: bigint;
  versionAliases: Record<string, string>;
  versionDestroyTtlNs?: bigint;
  customerManagedEncryption: CustomerManagedEncryption | null;
  secretType: string;
  versions: StoredVersion[];
  iamPolicy?: IamPolicy;
}

export interface SecretManagerStateOptions {
  /** When set, only this project exists; others answer PERMISSION_DENIED, as GCP does. */
  projectId?: string;
}

type Editable = Pick<
  StoredSecret,
  "labels" | "annotations" | "topics" | "rotation" | "expireNs" | "versionAliases" | "versionDestroyTtlNs"
> & { customerManagedEncryption: CustomerManagedEncryption | null };

const UPDATABLE_PATHS = new Set([
  "labels",
  "annotations",
  "topics",
  "rotation",
  "rotation.next_rotation_time",
  "rotation.rotation_period",
  "expire_time",
  "ttl",
  "version_aliases",
  "version_destroy_ttl",
  "customer_managed_encryption",
]);

export class SecretManagerState {
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly clock = new Clock();
  private seq = 0;

  constructor(private readonly options: SecretManagerStateOptions = {}) {}

  // --- secrets ---------------------------------------------------------------------------------

  createSecret(req: { parent: string; secretId: string; secret: Secret | null }): Secret {
    const parent = this.parent(req.parent, "secretmanager.secrets.create");
    validateSecretId(req.secretId);
    const input = req.secret;
    if (!input) throw invalidArgument("secret must be specified.");
    const name = `${parent.name}/secrets/${req.secretId}`;
    this.sweep();
    if (this.secrets.has(name)) throw alreadyExists(`Secret [${name}] already exists.`);
    const regional = parent.location !== undefined;
    validateReplication(input.replication, regional);
    if (!regional && input.customerManagedEncryption) {
      throw invalidArgument(
        "customer_managed_encryption applies to regional secrets; set it in replication instead.",
      );
    }
    const now = this.clock.now();
    const paths = ["labels", "annotations", "topics", "rotation", "version_aliases", "version_destroy_ttl"];
    if (input.expiration) paths.push(input.expiration === "ttl" ? "ttl" : "expire_time");
    const editable = this.validatedEdits(emptyEditable(), input, paths, 0, now);
    if (regional && input.customerManagedEncryption) {
      editable.customerManagedEncryption = { kmsKeyName: input.customerManagedEncryption.kmsKeyName };
    }
    const stored: StoredSecret = {
      ...editable,
      seq: ++this.seq,
      name,
      parent: parent.name,
      regional,
      createNs: now,
      etag: etagAt(now),
      replication: regional ? null : copyReplication(input.replication!),
      tags: { ...input.tags },
      secretType: input.secretType || "SECRET_TYPE_UNSPECIFIED",
      versions: [],
    };
    this.secrets.set(name, stored);
    return toSecret(stored);
  }

  getSecret(req: { name: string }): Secret {
    return toSecret(this.secret(req.name, "secretmanager.secrets.get"));
  }

  listSecrets(req: ListRequest): { secrets: Secret[]; nextPageToken: string; totalSize: number } {
    const parent = this.parent(req.parent, "secretmanager.secrets.list");
    const predicate = compileFilter(req.filter, SECRET_SCHEMA);
    this.sweep();
    const all = [...this.secrets.values()]
      .filter((s) => s.parent === parent.name)
      .sort((a, b) => b.seq - a.seq);
    const matching = all.filter((s) => predicate(secretView(s)));
    const page = paginate(matching, (s) => s.seq, req, `secrets\n${parent.name}\n${req.filter}`);
    return {
      secrets: page.items.map(toSecret),
      nextPageToken: page.nextPageToken,
      totalSize: req.filter ? 0 : all.length,
    };
  }

  updateSecret(req: { secret: Secret | null; updateMask: { paths: string[] } | null }): Secret {
    if (!req.secret) throw invalidArgument("secret must be specified.");
    const stored = this.secret(req.secret.name, "secretmanager.secrets.update", "secret.name");
    const paths = req.updateMask?.paths ?? [];
    if (paths.length === 0) throw invalidArgument("update_mask must list at least one field.");
    for (const path of paths) {
      if (!UPDATABLE_PATHS.has(path)) throw invalidArgument(`Invalid update_mask path [${path}].`);
    }
    if (paths.includes("customer_managed_encryption") && !stored.regional) {
      throw invalidArgument("customer_managed_encryption applies to regional secrets only.");
    }
    checkEtag(req.secret.etag, stored.etag, `Secret [${stored.name}]`);
    const now = this.clock.now();
    const edited = this.validatedEdits(stored, req.secret, paths, stored.versions.length, now);
    Object.assign(stored, edited, { etag: etagAt(now) });
    return toSecret(stored);
  }

  deleteSecret(req: { name: string; etag: string }): object {
    const stored = this.secret(req.name, "secretmanager.secrets.delete");
    checkEtag(req.etag, stored.etag, `Secret [${stored.name}]`);
    this.secrets.delete(stored.name);
    return {};
  }

  // --- versions --------------------------------------------------------------------------------

  addSecretVersion(req: { parent: string; payload: SecretPayload | null }): SecretVersion {
    const stored = this.secret(req.parent, "secretmanager.versions.add", "parent");
    const payload = req.payload;
    if (!payload) throw invalidArgument("payload must be specified.");
    const data = Buffer.from(payload.data ?? Buffer.alloc(0));
    if (data.length === 0) throw invalidArgument("Secret Payload cannot be empty.");
    if (data.length > MAX_PAYLOAD_BYTES) {
      throw invalidArgument(
        `Secret Payload cannot be larger than ${MAX_PAYLOAD_BYTES} bytes; got ${data.length}.`,
      );
    }
    const checksum = crc32c(data);
    const clientChecksum = payload._dataCrc32c === "dataCrc32c";
    if (clientChecksum && BigInt(payload.dataCrc32c ?? "0") !== BigInt(checksum)) {
      // The payload itself is never echoed; only the two checksums are.
      throw invalidArgument(
        `Checksum mismatch: data_crc32c [${payload.dataCrc32c}] does not match the CRC32C of the received data [${checksum}].`,
      );
    }
    const now = this.clock.now();
    const version: StoredVersion = {
      number: stored.versions.length + 1,
      createNs: now,
      state: "ENABLED",
      data,
      crc32c: checksum,
      clientChecksum,
      etag: etagAt(now),
    };
    stored.versions.push(version);
    return toVersion(stored, version);
  }

  getSecretVersion(req: { name: string }): SecretVersion {
    const { secret, version } = this.version(req.name, "secretmanager.versions.get");
    return toVersion(secret, version);
  }

  accessSecretVersion(req: { name: string }): {
    name: string;
    payload: { data: Buffer; dataCrc32c: string };
  } {
    const { secret, version } = this.version(req.name, "secretmanager.versions.access");
    const name = `${secret.name}/versions/${version.number}`;
    if (version.state !== "ENABLED" || !version.data) {
      throw failedPrecondition(`Secret Version [${name}] is in ${version.state} state.`);
    }
    return { name, payload: { data: version.data, dataCrc32c: String(version.crc32c) } };
  }

  listSecretVersions(req: ListRequest): {
    versions: SecretVersion[];
    nextPageToken: string;
    totalSize: number;
  } {
    const stored = this.secret(req.parent, "secretmanager.versions.list", "parent");
    const predicate = compileFilter(req.filter, VERSION_SCHEMA);
    const all = [...stored.versions].reverse();
    const matching = all.filter((v) => predicate(versionView(stored.name, v)));
    const page = paginate(matching, (v) => v.number, req, `versions\n${stored.name}\n${req.filter}`);
    return {
      versions: page.items.map((v) => toVersion(stored, v)),
      nextPageToken: page.nextPageToken,
      totalSize: req.filter ? 0 : all.length,
    };
  }

  disableSecretVersion(req: { name: string; etag: string }): SecretVersion {
    return this.transition(req, "secretmanager.versions.disable", (version) => {
      version.state = "DISABLED";
      delete version.scheduledDestroyNs;
    });
  }

  enableSecretVersion(req: { name: string; etag: string }): SecretVersion {
    return this.transition(req, "secretmanager.versions.enable", (version) => {
      version.state = "ENABLED";
      delete version.scheduledDestroyNs;
    });
  }

  destroySecretVersion(req: { name: string; etag: string }): SecretVersion {
    return this.transition(req, "secretmanager.versions.destroy", (version, secret, now) => {
      if (secret.versionDestroyTtlNs) {
        // Delayed destruction: the version is disabled now and destroyed when the delay ends.
        version.state = "DISABLED";
        version.scheduledDestroyNs = now + secret.versionDestroyTtlNs;
      } else {
        destroy(version, now);
      }
    });
  }

  // --- IAM (SetIamPolicy / GetIamPolicy / TestIamPermissions on a secret) ----------------------

  getIamPolicy(req: { resource: string }): IamPolicy {
    const stored = this.secret(req.resource, "secretmanager.secrets.getIamPolicy", "resource");
    // An empty policy's etag is "ACAB" (base64), as on every Google IAM resource.
    return (
      stored.iamPolicy ?? { version: 0, bindings: [], auditConfigs: [], etag: Buffer.from("ACAB", "base64") }
    );
  }

  setIamPolicy(req: { resource: string; policy: IamPolicy | null }): IamPolicy {
    const stored = this.secret(req.resource, "secretmanager.secrets.setIamPolicy", "resource");
    if (!req.policy) throw invalidArgument("policy must be specified.");
    const current = this.getIamPolicy(req);
    if (req.policy.etag.length > 0 && !req.policy.etag.equals(current.etag)) {
      throw aborted(
        "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.",
      );
    }
    stored.iamPolicy = {
      version: req.policy.version,
      bindings: req.policy.bindings,
      auditConfigs: req.policy.auditConfigs,
      etag: randomBytes(8),
    };
    return stored.iamPolicy;
  }

  /** "If the secret does not exist, this call returns an empty set of permissions." There is no
   * caller identity here, so every Secret Manager permission asked about is held. */
  testIamPermissions(req: { resource: string; permissions: string[] }): { permissions: string[] } {
    const name = parseSecretName(req.resource, "resource");
    this.checkProject(name, "secretmanager.secrets.get");
    this.sweep();
    if (!this.secrets.has(name.secret)) return { permissions: [] };
    return { permissions: req.permissions.filter((p) => p.startsWith("secretmanager.")) };
  }

  // --- helpers ---------------------------------------------------------------------------------

  private parent(value: string, permission: string): ParentName {
    const parent = parseParent(value);
    this.checkProject(parent, permission);
    return parent;
  }

  private checkProject(name: ParentName, permission: string): void {
    const only = this.options.projectId;
    if (only !== undefined && name.project !== only) {
      throw permissionDenied(
        `Permission '${permission}' denied for resource '${name.name}' (or it may not exist).`,
      );
    }
  }

  private secret(value: string, permission: string, field = "name"): StoredSecret {
    const name: SecretName = parseSecretName(value, field);
    this.checkProject(name, permission);
    this.sweep();
    const stored = this.secrets.get(name.secret);
    if (!stored) throw notFound(`Secret [${name.secret}] not found.`);
    return stored;
  }

  /** Resolves `latest` (the most recently created version, whatever its state), a number, or an alias. */
  private version(value: string, permission: string): { secret: StoredSecret; version: StoredVersion } {
    const name = parseVersionName(value);
    this.checkProject(name, permission);
    this.sweep();
    const secret = this.secrets.get(name.secret);
    if (!secret) throw notFound(`Secret [${name.secret}] not found or has no versions.`);
    let number: number | undefined;
    if (name.versionId === "latest") {
      number = secret.versions.length;
      if (number === 0) throw notFound(`Secret [${name.secret}] not found or has no versions.`);
    } else if (/^\d+$/.test(name.versionId)) {
      number = Number(name.versionId);
    } else if (Object.hasOwn(secret.versionAliases, name.versionId)) {
      number = Number(secret.versionAliases[name.versionId]);
    }
    const version = number === undefined ? undefined : secret.versions[number - 1];
    if (!version) throw notFound(`Secret Version [${name.secret}/versions/${name.versionId}] not found.`);
    return { secret, version };
  }

  private transition(
    req: { name: string; etag: string },
    permission: string,
    apply: (version: StoredVersion, secret: StoredSecret, now: bigint) => void,
  ): SecretVersion {
    const { secret, version } = this.version(req.name, permission);
    const name = `${secret.name}/versions/${version.number}`;
    checkEtag(req.etag, version.etag, `Secret Version [${name}]`);
    // "A version may not leave this state once entered."
    if (version.state === "DESTROYED")
      throw failedPrecondition(`Secret Version [${name}] is in DESTROYED state.`);
    const now = this.clock.now();
    apply(version, secret, now);
    // Every modification renews the etag, even one that leaves the state as it was.
    version.etag = etagAt(now);
    return toVersion(secret, version);
  }

  /** Applies what time has done: expired secrets go, versions past their delayed destruction die. */
  private sweep(): void {
    const now = BigInt(Date.now()) * 1_000_000n;
    for (const secret of this.secrets.values()) {
      if (secret.expireNs !== undefined && secret.expireNs <= now) {
        this.secrets.delete(secret.name);
        continue;
      }
      for (const version of secret.versions) {
        if (version.scheduledDestroyNs !== undefined && version.scheduledDestroyNs <= now) {
          destroy(version, version.scheduledDestroyNs);
        }
      }
    }
  }

  /** The editable fields after applying `paths` from `input`, validated; `base` is left untouched. */
  private validatedEdits(
    base: Editable,
    input: Secret,
    paths: string[],
    versionCount: number,
    now: bigint,
  ): Editable {
    const next: Editable = {
      labels: base.labels,
      annotations: base.annotations,
      topics: base.topics,
      rotation: base.rotation ? { ...base.rotation } : undefined,
      expireNs: base.expireNs,
      versionAliases: base.versionAliases,
      versionDestroyTtlNs: base.versionDestroyTtlNs,
      customerManagedEncryption: base.customerManagedEncryption,
    };
    for (const path of paths) {
      switch (path) {
        case "labels":
          validateLabels(input.labels);
          next.labels = { ...input.labels };
          break;
        case "annotations":
          validateAnnotations(input.annotations);
          next.annotations = { ...input.annotations };
          break;
        case "topics":
          validateTopics(input.topics);
          next.topics = input.topics.map((t) => ({ name: t.name }));
          break;
        case "rotation":
          next.rotation = input.rotation ? rotationFrom(input.rotation) : undefined;
          break;
        case "rotation.next_rotation_time":
        case "rotation.rotation_period": {
          const given: { nextRotationNs?: bigint; periodNs?: bigint } = input.rotation
            ? rotationFrom(input.rotation)
            : {};
          const key = path === "rotation.next_rotation_time" ? "nextRotationNs" : "periodNs";
          next.rotation = { ...next.rotation, [key]: given[key] };
          break;
        }
        case "expire_time":
          next.expireNs = this.futureTime(fromSecondsNanos(input.expireTime), now, "expire_time");
          break;
        case "ttl": {
          const ttl = fromSecondsNanos(input.ttl);
          if (ttl !== undefined && ttl <= 0n) throw invalidArgument("ttl must be positive.");
          next.expireNs = ttl === undefined ? undefined : now + ttl;
          break;
        }
        case "version_aliases":
          validateVersionAliases(input.versionAliases, versionCount);
          next.versionAliases = { ...input.versionAliases };
          break;
        case "version_destroy_ttl": {
          const ttl = fromSecondsNanos(input.versionDestroyTtl);
          if (ttl !== undefined && ttl !== 0n && (ttl < DAY_NS || ttl > 1000n * DAY_NS)) {
            throw invalidArgument("version_destroy_ttl must be between 1 day and 1000 days.");
          }
          next.versionDestroyTtlNs = ttl || undefined;
          break;
        }
        case "customer_managed_encryption":
          next.customerManagedEncryption = input.customerManagedEncryption
            ? { kmsKeyName: input.customerManagedEncryption.kmsKeyName }
            : null;
          break;
      }
    }
    const rotation = next.rotation;
    if (rotation && rotation.nextRotationNs === undefined && rotation.periodNs === undefined)
      next.rotation = undefined;
    if (next.rotation) {
      if (next.topics.length === 0)
        throw invalidArgument("A rotation policy requires Secret.topics to be set.");
      if (next.rotation.periodNs !== undefined) {
        if (next.rotation.nextRotationNs === undefined) {
          throw invalidArgument("rotation.rotation_period requires rotation.next_rotation_time.");
        }
        if (next.rotation.periodNs < HOUR_NS)
          throw invalidArgument("rotation.rotation_period must be at least 3600s.");
      }
    }
    return next;
  }

  private futureTime(ns: bigint | undefined, now: bigint, field: string): bigint | undefined {
    if (ns !== undefined && ns <= now) throw invalidArgument(`${field} must be in the future.`);
    return ns;
  }
}

function emptyEditable(): Editable {
  return { labels: {}, annotations: {}, topics: [], versionAliases: {}, customerManagedEncryption: null };
}

function rotationFrom(r: { nextRotationTime: Timestamp | null; rotationPeriod: Duration | null }) {
  return {
    nextRotationNs: fromSecondsNanos(r.nextRotationTime),
    periodNs: fromSecondsNanos(r.rotationPeriod),
  };
}

function destroy(version: StoredVersion, at: bigint): void {
  version.state = "DESTROYED";
  version.destroyNs = at;
  delete version.data;
  delete version.scheduledDestroyNs;
}

function copyCmek(c: CustomerManagedEncryption | null | undefined): CustomerManagedEncryption | null {
  return c ? { kmsKeyName: c.kmsKeyName } : null;
}

function copyReplication(r: Replication): Replication {
  if (r.replication === "automatic") {
    return { automatic: { customerManagedEncryption: copyCmek(r.automatic?.customerManagedEncryption) } };
  }
  return {
    userManaged: {
      replicas: (r.userManaged?.replicas ?? []).map((replica) => ({
        location: replica.location,
        customerManagedEncryption: copyCmek(replica.customerManagedEncryption),
      })),
    },
  };
}

function toSecret(s: StoredSecret): Secret {
  return {
    name: s.name,
    replication: s.replication,
    createTime: toTimestamp(s.createNs),
    labels: { ...s.labels },
    topics: s.topics.map((t) => ({ name: t.name })),
    expireTime: s.expireNs === undefined ? null : toTimestamp(s.expireNs),
    etag: s.etag,
    rotation: s.rotation
      ? {
          nextRotationTime:
            s.rotation.nextRotationNs === undefined ? null : toTimestamp(s.rotation.nextRotationNs),
          rotationPeriod: s.rotation.periodNs === undefined ? null : toDuration(s.rotation.periodNs),
        }
      : null,
    versionAliases: { ...s.versionAliases },
    annotations: { ...s.annotations },
    versionDestroyTtl: s.versionDestroyTtlNs === undefined ? null : toDuration(s.versionDestroyTtlNs),
    customerManagedEncryption: s.customerManagedEncryption,
    // Tags are input-only: they are never returned.
    tags: {},
    secretType: s.secretType,
  };
}

function toVersion(secret: StoredSecret, v: StoredVersion): SecretVersion {
  return {
    name: `${secret.name}/versions/${v.number}`,
    createTime: toTimestamp(v.createNs),
    destroyTime: v.destroyNs === undefined ? null : toTimestamp(v.destroyNs),
    state: v.state,
    replicationStatus: replicationStatus(secret.replication),
    etag: v.etag,
    clientSpecifiedPayloadChecksum: v.clientChecksum,
    scheduledDestroyTime: v.scheduledDestroyNs === undefined ? null : toTimestamp(v.scheduledDestroyNs),
  };
}

function replicationStatus(r: Replication | null): object | null {
  if (!r) return null;
  if (r.automatic) return { automatic: {} };
  return {
    userManaged: { replicas: (r.userManaged?.replicas ?? []).map((x) => ({ location: x.location })) },
  };
}

/**
 * The Secrets Manager operations the emulator implements, one function per API action, with the
 * rules the API reference documents (client request tokens, staging labels, recovery windows,
 * batch reads). Each takes the JSON input, already shape-checked, and returns the JSON output.
 */
import {
  AwsError,
  invalidParameter,
  invalidRequest,
  secretNotFound,
  validation,
  versionNotFound,
} from "./errors.js";
import { type Filter, matchesFilters, page } from "./filters.js";
import {
  currentVersion,
  type Secret,
  type SecretStore,
  type SecretValue,
  type SecretVersion,
  sameValue,
  type Tag,
  valueFromInput,
  versionWithStage,
} from "./store.js";

type Json = Record<string, unknown>;
type Operation = (store: SecretStore, input: Json) => Json;

const DAY_MS = 86_400_000;
/** Secret names: ASCII letters, digits and /_+=.@- (CreateSecret, API reference). */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]+$/;

/** Epoch seconds with millisecond precision, the JSON 1.1 timestamp format. */
const seconds = (ms: number) => ms / 1000;

function valueFields(value: SecretValue): Json {
  return value.kind === "string"
    ? { SecretString: value.text }
    : { SecretBinary: value.bytes.toString("base64") };
}

/** Applies ClientRequestToken idempotency; returns the existing version when the call is a no-op. */
function existingVersionForToken(
  secret: Secret,
  token: string | undefined,
  value: SecretValue,
): SecretVersion | undefined {
  if (token === undefined) return undefined;
  const existing = secret.versions.get(token);
  if (!existing) return undefined;
  if (!sameValue(existing.value, value)) {
    throw new AwsError(
      "ResourceExistsException",
      "You can't modify an existing version, you can only create a new version.",
    );
  }
  return existing;
}

/**
 * A value without a ClientRequestToken is refused: the SDKs and the CLI always add one, and the
 * service answers a raw request without it so (LocalStack's snapshots recorded against AWS,
 * test_no_client_request_token).
 */
function requireToken(token: string | undefined): string {
  if (token === undefined) {
    throw invalidRequest("You must provide a ClientRequestToken value. We recommend a UUID-type value.");
  }
  return token;
}

/** Staging labels as the service lists them: sorted (every recorded answer has them in order). */
function stagesOf(version: SecretVersion): string[] {
  return [...version.stages].sort();
}

function versionsToStages(secret: Secret): Json | undefined {
  const map: Record<string, string[]> = {};
  for (const version of secret.versions.values()) {
    if (version.stages.length > 0) map[version.id] = stagesOf(version);
  }
  return Object.keys(map).length > 0 ? map : undefined;
}

/** The metadata fields DescribeSecret and ListSecrets share; absent fields are omitted. */
function secretDetails(secret: Secret): Json {
  return {
    ARN: secret.arn,
    Name: secret.name,
    ...(secret.description !== undefined && { Description: secret.description }),
    ...(secret.kmsKeyId !== undefined && secret.kmsKeyId !== "" && { KmsKeyId: secret.kmsKeyId }),
    LastChangedDate: seconds(secret.lastChanged),
    ...(secret.lastAccessed !== undefined && { LastAccessedDate: seconds(secret.lastAccessed) }),
    ...(secret.deletedAt !== undefined && { DeletedDate: seconds(secret.deletedAt) }),
    ...(secret.tags.length > 0 && { Tags: secret.tags.map((t) => ({ ...t })) }),
    CreatedDate: seconds(secret.created),
  };
}

function secretValueEntry(secret: Secret, version: SecretVersion): Json {
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.id,
    ...valueFields(version.value),
    VersionStages: stagesOf(version),
    CreatedDate: seconds(version.created),
  };
}

function mergeTags(existing: Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(existing.map((tag) => [tag.Key, tag]));
  for (const tag of added) byKey.set(tag.Key, { Key: tag.Key, Value: tag.Value ?? "" });
  return [...byKey.values()];
}

function checkFilters(filters: Filter[] | undefined): void {
  for (const filter of filters ?? []) {
    if (filter.Key === undefined) throw invalidParameter("Filter key is required.");
  }
}

const CreateSecret: Operation = (store, input) => {
  const name = input.Name as string;
  if (!SECRET_NAME.test(name)) {
    throw validation(
      "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!",
    );
  }
  if (input.AddReplicaRegions !== undefined) {
    throw invalidParameter("This emulator does not replicate secrets; AddReplicaRegions is not supported.");
  }
  const value = valueFromInput(input, false);
  const token = input.ClientRequestToken as string | undefined;
  if (value) requireToken(token);
  const existing = store.byName(name);
  if (existing) {
    if (existing.deletedAt !== undefined) {
      throw invalidRequest(
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
      );
    }
    const same = value && existingVersionForToken(existing, token, value);
    if (same) return { ARN: existing.arn, Name: existing.name, VersionId: same.id };
    throw new AwsError(
      "ResourceExistsException",
      `The operation failed because the secret ${name} already exists.`,
    );
  }
  if (store.size >= store.options.maxSecrets) {
    throw new AwsError("LimitExceededException", "You have exceeded the maximum number of secrets allowed.");
  }
  const secret = store.insert({
    name,
    description: input.Description as string | undefined,
    kmsKeyId: input.KmsKeyId as string | undefined,
    tags: mergeTags([], (input.Tags as Tag[] | undefined) ?? []),
  });
  if (!value) return { ARN: secret.arn, Name: secret.name };
  const version = store.addVersion(secret, requireToken(token), value, ["AWSCURRENT"]);
  return { ARN: secret.arn, Name: secret.name, VersionId: version.id };
};

const GetSecretValue: Operation = (store, input) => {
  const secret = store.getActive(input.SecretId as string);
  const versionId = input.VersionId as string | undefined;
  const stage = input.VersionStage as string | undefined;
  let version: SecretVersion | undefined;
  if (versionId !== undefined) {
    version = secret.versions.get(versionId);
    if (!version) throw versionNotFound("VersionId", versionId);
    if (stage !== undefined && !version.stages.includes(stage)) {
      throw invalidRequest("You provided a VersionStage that is not associated to the provided VersionId.");
    }
  } else {
    const wanted = stage ?? "AWSCURRENT";
    version = versionWithStage(secret, wanted);
    if (!version) throw versionNotFound("staging label", wanted);
  }
  store.touch(secret, version);
  return secretValueEntry(secret, version);
};

const PutSecretValue: Operation = (store, input) => {
  const secret = store.getActive(input.SecretId as string);
  const value = valueFromInput(input, true) as SecretValue;
  const token = requireToken(input.ClientRequestToken as string | undefined);
  const same = existingVersionForToken(secret, token, value);
  const version =
    same ??
    store.addVersion(secret, token, value, (input.VersionStages as string[] | undefined) ?? ["AWSCURRENT"]);
  return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: stagesOf(version) };
};

const UpdateSecret: Operation = (store, input) => {
  const secret = store.getActive(input.SecretId as string);
  const value = valueFromInput(input, false);
  const token = input.ClientRequestToken as string | undefined;
  if (value) requireToken(token);
  if (input.Description !== undefined) secret.description = input.Description as string;
  if (input.KmsKeyId !== undefined) secret.kmsKeyId = input.KmsKeyId as string;
  secret.lastChanged = store.now();
  if (!value) return { ARN: secret.arn, Name: secret.name };
  const version =
    existingVersionForToken(secret, token, value) ??
    store.addVersion(secret, requireToken(token), value, ["AWSCURRENT"]);
  return { ARN: secret.arn, Name: secret.name, VersionId: version.id };
};

const DescribeSecret: Operation = (store, input) => {
  const secret = store.get(input.SecretId as string);
  const stages = versionsToStages(secret);
  return { ...secretDetails(secret), ...(stages && { VersionIdsToStages: stages }) };
};

type SortKey = "created-date" | "last-accessed-date" | "last-changed-date" | "name";

function sortSecrets(secrets: Secret[], by: SortKey, order: "asc" | "desc"): Secret[] {
  const key = (s: Secret): number | string => {
    switch (by) {
      case "name":
        return s.name;
      case "last-accessed-date":
        return s.lastAccessed ?? 0;
      case "last-changed-date":
        return s.lastChanged;
      default:
        return s.created;
    }
  };
  const sign = order === "desc" ? -1 : 1;
  return secrets.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka < kb) return -sign;
    if (ka > kb) return sign;
    return (a.serial - b.serial) * sign;
  });
}

const ListSecrets: Operation = (store, input) => {
  const filters = input.Filters as Filter[] | undefined;
  checkFilters(filters);
  const includeDeleted = input.IncludePlannedDeletion === true;
  const matching = store
    .all()
    .filter((s) => includeDeleted || s.deletedAt === undefined)
    .filter((s) => matchesFilters(s, filters ?? []));
  const sorted = sortSecrets(
    matching,
    (input.SortBy as SortKey | undefined) ?? "created-date",
    (input.SortOrder as "asc" | "desc" | undefined) ?? "asc",
  );
  const result = page(
    sorted,
    input.NextToken as string | undefined,
    (input.MaxResults as number | undefined) ?? 100,
  );
  return {
    SecretList: result.items.map((secret) => {
      const stages = versionsToStages(secret);
      return { ...secretDetails(secret), ...(stages && { SecretVersionsToStages: stages }) };
    }),
    ...(result.next && { NextToken: result.next }),
  };
};

const BatchGetSecretValue: Operation = (store, input) => {
  const ids = input.SecretIdList as string[] | undefined;
  const filters = input.Filters as Filter[] | undefined;
  if ((ids === undefined) === (filters === undefined)) {
    throw invalidParameter("Either 'SecretIdList' or 'Filters' must be provided, but not both.");
  }
  if (input.MaxResults !== undefined && filters === undefined) {
    throw invalidParameter(
      "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.",
    );
  }
  const values: Json[] = [];
  if (ids) {
    const errors: Json[] = [];
    for (const id of ids) {
      try {
        const secret = store.getActive(id);
        const version = currentVersion(secret);
        if (!version) throw versionNotFound("staging label", "AWSCURRENT");
        store.touch(secret, version);
        values.push(secretValueEntry(secret, version));
      } catch (error) {
        if (!(error instanceof AwsError)) throw error;
        errors.push({ SecretId: id, ErrorCode: error.code, Message: error.message });
      }
    }
    return { SecretValues: values, Errors: errors };
  }
  checkFilters(filters);
  const matching = sortSecrets(
    store
      .all()
      .filter((s) => s.deletedAt === undefined && currentVersion(s) && matchesFilters(s, filters ?? [])),
    "created-date",
    "asc",
  );
  const result = page(
    matching,
    input.NextToken as string | undefined,
    (input.MaxResults as number | undefined) ?? 20,
  );
  for (const secret of result.items) {
    const version = currentVersion(secret) as SecretVersion;
    store.touch(secret, version);
    values.push(secretValueEntry(secret, version));
  }
  return { SecretValues: values, Errors: [], ...(result.next && { NextToken: result.next }) };
};

const ListSecretVersionIds: Operation = (store, input) => {
  const secret = store.get(input.SecretId as string);
  const includeDeprecated = input.IncludeDeprecated === true;
  // Oldest first, as every recorded answer lists them (insertion order is creation order).
  const versions = [...secret.versions.values()].filter((v) => includeDeprecated || v.stages.length > 0);
  const result = page(
    versions,
    input.NextToken as string | undefined,
    (input.MaxResults as number | undefined) ?? 100,
  );
  return {
    Versions: result.items.map((v) => ({
      VersionId: v.id,
      VersionStages: stagesOf(v),
      // Recorded answers name the key; without a customer key it is "DefaultEncryptionKey".
      KmsKeyIds: [secret.kmsKeyId || "DefaultEncryptionKey"],
      ...(v.lastAccessed !== undefined && { LastAccessedDate: seconds(v.lastAccessed) }),
      CreatedDate: seconds(v.created),
    })),
    ...(result.next && { NextToken: result.next }),
    ARN: secret.arn,
    Name: secret.name,
  };
};

const TagResource: Operation = (store, input) => {
  const secret = store.getActive(input.SecretId as string);
  secret.tags = mergeTags(secret.tags, input.Tags as Tag[]);
  secret.lastChanged = store.now();
  return {};
};

const UntagResource: Operation = (store, input) => {
  const secret = store.getActive(input.SecretId as string);
  const keys = new Set(input.TagKeys as string[]);
  secret.tags = secret.tags.filter((tag) => !keys.has(tag.Key));
  secret.lastChanged = store.now();
  return {};
};

const DeleteSecret: Operation = (store, input) => {
  const window = input.RecoveryWindowInDays as number | undefined;
  const force = input.ForceDeleteWithoutRecovery === true;
  // The parameters are checked before the secret is looked up.
  if (force && window !== undefined) {
    throw invalidParameter(
      "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    );
  }
  if (window !== undefined && (window < 7 || window > 30)) {
    throw invalidParameter("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
  }
  const secretId = input.SecretId as string;
  const now = store.now();
  const secret = store.find(secretId);
  if (!secret) {
    // Documented: a forced delete of a missing secret does not return ResourceNotFoundException.
    if (!force) throw secretNotFound();
    const name = secretId.startsWith("arn:") ? (secretId.split(":secret:")[1] ?? secretId) : secretId;
    return {
      ARN: secretId.startsWith("arn:") ? secretId : store.newArn(name),
      Name: name,
      DeletionDate: seconds(now),
    };
  }
  if (force) {
    store.remove(secret);
    return { ARN: secret.arn, Name: secret.name, DeletionDate: seconds(now) };
  }
  if (secret.deletedAt !== undefined) {
    throw invalidRequest("You tried to perform the operation on a secret that's currently marked deleted.");
  }
  secret.deletedAt = now;
  secret.purgeAt = now + (window ?? 30) * DAY_MS;
  return { ARN: secret.arn, Name: secret.name, DeletionDate: seconds(secret.purgeAt) };
};

const RestoreSecret: Operation = (store, input) => {
  const secret = store.get(input.SecretId as string);
  delete secret.deletedAt;
  delete secret.purgeAt;
  return { ARN: secret.arn, Name: secret.name };
};

const UpdateSecretVersionStage: Operation = (store, input) => {
  const secret = store.getActive(input.SecretId as string);
  const stage = input.VersionStage as string;
  const removeFrom = input.RemoveFromVersionId as string | undefined;
  const moveTo = input.MoveToVersionId as string | undefined;
  const target = moveTo === undefined ? undefined : secret.versions.get(moveTo);
  if (moveTo !== undefined && !target) throw invalidParameter(`Not a valid version: ${moveTo}`);
  const holder = versionWithStage(secret, stage);
  if (removeFrom !== undefined && holder?.id !== removeFrom) {
    throw invalidParameter(`Version stage ${stage} not found in version ${removeFrom}`);
  }
  if (holder && holder !== target && removeFrom === undefined) {
    throw invalidParameter(
      `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`,
    );
  }
  if (stage === "AWSCURRENT" && !target) {
    throw invalidParameter(
      "You can't remove the staging label AWSCURRENT without moving it to another version.",
    );
  }
  store.moveStage(secret, stage, target);
  secret.lastChanged = store.now();
  store.prune(secret);
  return { ARN: secret.arn, Name: secret.name };
};

export const operations: Record<string, Operation> = {
  BatchGetSecretValue,
  CreateSecret,
  DeleteSecret,
  DescribeSecret,
  GetSecretValue,
  ListSecretVersionIds,
  ListSecrets,
  PutSecretValue,
  RestoreSecret,
  TagResource,
  UntagResource,
  UpdateSecret,
  UpdateSecretVersionStage,
};

/**
 * Request validation from the Secrets Manager service model: each operation's input shape, checked
 * before any business rule, so that malformed requests fail with the errors AWS gives them.
 */
import { serialization, validation } from "./errors.js";

/**
 * Input shapes with the constraints of the Secrets Manager service model (botocore
 * `secretsmanager/2017-10-17/service-2.json`). The service checks these before any business rule
 * and reports every violation at once as a `ValidationException`; a value of the wrong JSON type
 * is a `SerializationException`.
 */
export type Shape =
  | {
      type: "string";
      min?: number;
      max?: number;
      pattern?: RegExp;
      enum?: readonly string[];
      sensitive?: boolean;
    }
  | { type: "integer"; min?: number; max?: number }
  | { type: "boolean" }
  | { type: "blob"; min?: number; max?: number; sensitive?: boolean }
  | { type: "list"; member: Shape; min?: number; max?: number }
  | { type: "structure"; members: Record<string, Shape>; required?: readonly string[] };

const str = (min?: number, max?: number, extra: Partial<Extract<Shape, { type: "string" }>> = {}): Shape => ({
  type: "string",
  ...(min === undefined ? {} : { min }),
  ...(max === undefined ? {} : { max }),
  ...extra,
});
const int = (min?: number, max?: number): Shape => ({
  type: "integer",
  ...(min === undefined ? {} : { min }),
  ...(max === undefined ? {} : { max }),
});
const bool: Shape = { type: "boolean" };
const list = (member: Shape, min?: number, max?: number): Shape => ({
  type: "list",
  member,
  ...(min === undefined ? {} : { min }),
  ...(max === undefined ? {} : { max }),
});
const struct = (members: Record<string, Shape>, required: readonly string[] = []): Shape => ({
  type: "structure",
  members,
  required,
});

const SecretId = str(1, 2048);
const ClientRequestToken = str(32, 64);
const SecretString = str(1, 65536, { sensitive: true });
const SecretBinary: Shape = { type: "blob", min: 1, max: 65536, sensitive: true };
const Description = str(undefined, 2048);
const KmsKeyId = str(0, 2048);
const VersionId = str(32, 64);
const VersionStage = str(1, 256);
const VersionStages = list(VersionStage, 1, 20);
const Tag = struct({ Key: str(1, 128), Value: str(0, 256) });
const Tags = list(Tag);
const NextToken = str(1, 4096);
const Filter = struct({
  Key: str(undefined, undefined, {
    enum: ["description", "name", "tag-key", "tag-value", "primary-region", "owning-service", "all"],
  }),
  Values: list(str(undefined, 512, { pattern: /^!?[a-zA-Z0-9 :_@/+=.\-!]*$/ }), 1, 10),
});
const Filters = list(Filter, undefined, 10);
const ReplicaRegion = struct({ Region: str(1, 128), KmsKeyId });

export const inputShapes: Record<string, Shape> = {
  CreateSecret: struct(
    {
      Name: str(1, 512),
      ClientRequestToken,
      Description,
      KmsKeyId,
      SecretBinary,
      SecretString,
      Tags,
      AddReplicaRegions: list(ReplicaRegion, 1),
      ForceOverwriteReplicaSecret: bool,
      Type: str(),
    },
    ["Name"],
  ),
  GetSecretValue: struct({ SecretId, VersionId, VersionStage }, ["SecretId"]),
  PutSecretValue: struct(
    {
      SecretId,
      ClientRequestToken,
      SecretBinary,
      SecretString,
      VersionStages,
      RotationToken: str(36, 256, { sensitive: true }),
    },
    ["SecretId"],
  ),
  UpdateSecret: struct(
    { SecretId, ClientRequestToken, Description, KmsKeyId, SecretBinary, SecretString, Type: str() },
    ["SecretId"],
  ),
  DescribeSecret: struct({ SecretId }, ["SecretId"]),
  ListSecrets: struct({
    IncludePlannedDeletion: bool,
    MaxResults: int(1, 100),
    NextToken,
    Filters,
    SortOrder: str(undefined, undefined, { enum: ["asc", "desc"] }),
    SortBy: str(undefined, undefined, {
      enum: ["created-date", "last-accessed-date", "last-changed-date", "name"],
    }),
  }),
  BatchGetSecretValue: struct({
    SecretIdList: list(SecretId, 1, 20),
    Filters,
    MaxResults: int(1, 20),
    NextToken,
  }),
  ListSecretVersionIds: struct({ SecretId, MaxResults: int(1, 100), NextToken, IncludeDeprecated: bool }, [
    "SecretId",
  ]),
  TagResource: struct({ SecretId, Tags }, ["SecretId", "Tags"]),
  UntagResource: struct({ SecretId, TagKeys: list(str(1, 128)) }, ["SecretId", "TagKeys"]),
  DeleteSecret: struct({ SecretId, RecoveryWindowInDays: int(), ForceDeleteWithoutRecovery: bool }, [
    "SecretId",
  ]),
  RestoreSecret: struct({ SecretId }, ["SecretId"]),
  UpdateSecretVersionStage: struct(
    { SecretId, VersionStage, RemoveFromVersionId: VersionId, MoveToVersionId: VersionId },
    ["SecretId", "VersionStage"],
  ),
};

/** Checks `input` against `shape`; throws the error the service would send. */
export function validateInput(shape: Shape, input: unknown): void {
  const problems: string[] = [];
  check(shape, input, "", problems);
  if (problems.length > 0) {
    const count = problems.length;
    throw validation(`${count} validation error${count === 1 ? "" : "s"} detected: ${problems.join("; ")}`);
  }
}

function check(shape: Shape, value: unknown, path: string, problems: string[]): void {
  switch (shape.type) {
    case "structure": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw serialization(`Expected an object${path ? ` at '${path}'` : ""}`);
      }
      const record = value as Record<string, unknown>;
      for (const name of shape.required ?? []) {
        if (record[name] === undefined || record[name] === null) {
          problems.push(
            `Value null at '${memberPath(path, name)}' failed to satisfy constraint: Member must not be null`,
          );
        }
      }
      for (const [name, member] of Object.entries(shape.members)) {
        const memberValue = record[name];
        if (memberValue !== undefined && memberValue !== null) {
          check(member, memberValue, memberPath(path, name), problems);
        }
      }
      return;
    }
    case "string": {
      if (typeof value !== "string") throw serialization(`Expected a string at '${path}'`);
      const length = [...value].length;
      const shown = shape.sensitive ? "Value" : `Value '${value}'`;
      if (shape.min !== undefined && length < shape.min) {
        problems.push(
          `${shown} at '${path}' failed to satisfy constraint: Member must have length greater than or equal to ${shape.min}`,
        );
      }
      if (shape.max !== undefined && length > shape.max) {
        problems.push(
          `${shown} at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${shape.max}`,
        );
      } else if (shape.sensitive && shape.max !== undefined && Buffer.byteLength(value) > shape.max) {
        // The secret value quota is 64 KiB of data, so a multi-byte string is held to the same
        // byte count as a binary secret.
        problems.push(
          `${shown} at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${shape.max}`,
        );
      }
      if (shape.pattern && !shape.pattern.test(value)) {
        problems.push(
          `${shown} at '${path}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${shape.pattern.source}`,
        );
      }
      if (shape.enum && !shape.enum.includes(value)) {
        problems.push(
          `${shown} at '${path}' failed to satisfy constraint: Member must satisfy enum value set: [${shape.enum.join(", ")}]`,
        );
      }
      return;
    }
    case "integer": {
      if (typeof value !== "number" || !Number.isInteger(value)) {
        throw serialization(`Expected an integer at '${path}'`);
      }
      if (shape.min !== undefined && value < shape.min) {
        problems.push(
          `Value '${value}' at '${path}' failed to satisfy constraint: Member must have value greater than or equal to ${shape.min}`,
        );
      }
      if (shape.max !== undefined && value > shape.max) {
        problems.push(
          `Value '${value}' at '${path}' failed to satisfy constraint: Member must have value less than or equal to ${shape.max}`,
        );
      }
      return;
    }
    case "boolean":
      if (typeof value !== "boolean") throw serialization(`Expected a boolean at '${path}'`);
      return;
    case "blob": {
      const bytes = decodeBlob(value, path);
      if (shape.min !== undefined && bytes.length < shape.min) {
        problems.push(
          `Value at '${path}' failed to satisfy constraint: Member must have length greater than or equal to ${shape.min}`,
        );
      }
      if (shape.max !== undefined && bytes.length > shape.max) {
        problems.push(
          `Value at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${shape.max}`,
        );
      }
      return;
    }
    case "list": {
      if (!Array.isArray(value)) throw serialization(`Expected a list at '${path}'`);
      if (shape.min !== undefined && value.length < shape.min) {
        problems.push(
          `Value at '${path}' failed to satisfy constraint: Member must have length greater than or equal to ${shape.min}`,
        );
      }
      if (shape.max !== undefined && value.length > shape.max) {
        problems.push(
          `Value at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${shape.max}`,
        );
      }
      value.forEach((item, index) => {
        if (item === null || item === undefined) {
          problems.push(
            `Value null at '${path}.${index + 1}.member' failed to satisfy constraint: Member must not be null`,
          );
        } else {
          check(shape.member, item, `${path}.${index + 1}.member`, problems);
        }
      });
      return;
    }
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes a JSON 1.1 blob (a base64 string); a malformed one is a serialization error. */
export function decodeBlob(value: unknown, path: string): Buffer {
  if (typeof value !== "string" || value.length % 4 !== 0 || !BASE64.test(value)) {
    throw serialization(`Expected a base64-encoded blob at '${path}'`);
  }
  return Buffer.from(value, "base64");
}

function memberPath(parent: string, member: string): string {
  const name = member.charAt(0).toLowerCase() + member.slice(1);
  return parent ? `${parent}.${name}` : name;
}

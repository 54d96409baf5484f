// The shapes of the Secret Manager v1 messages as @grpc/proto-loader decodes them with
// { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true }: camelCase
// fields, int64 as strings, bytes as Buffer, enums as names, unset messages as null, and each
// oneof as an extra property naming the member that is set. Only the fields the emulator reads or
// writes are typed.
import type { Duration, Timestamp } from "./time.js";

export interface CustomerManagedEncryption {
  kmsKeyName: string;
}

export interface Replica {
  location: string;
  customerManagedEncryption: CustomerManagedEncryption | null;
}

export interface Replication {
  automatic?: { customerManagedEncryption: CustomerManagedEncryption | null } | null;
  userManaged?: { replicas: Replica[] } | null;
  /** Which oneof member is set. */
  replication?: "automatic" | "userManaged";
}

export interface Topic {
  name: string;
}

export interface Rotation {
  nextRotationTime: Timestamp | null;
  rotationPeriod: Duration | null;
}

export interface Secret {
  name: string;
  replication: Replication | null;
  createTime: Timestamp | null;
  labels: Record<string, string>;
  topics: Topic[];
  expireTime?: Timestamp | null;
  ttl?: Duration | null;
  /** Which member of the `expiration` oneof is set. */
  expiration?: "expireTime" | "ttl";
  etag: string;
  rotation: Rotation | null;
  versionAliases: Record<string, string>;
  annotations: Record<string, string>;
  versionDestroyTtl: Duration | null;
  customerManagedEncryption: CustomerManagedEncryption | null;
  tags: Record<string, string>;
  secretType: string;
}

export interface SecretPayload {
  data: Buffer;
  dataCrc32c?: string;
  /** Set to "dataCrc32c" when the optional field is present. */
  _dataCrc32c?: string;
}

export interface SecretVersion {
  name: string;
  createTime: Timestamp;
  destroyTime: Timestamp | null;
  state: "ENABLED" | "DISABLED" | "DESTROYED";
  replicationStatus: object | null;
  etag: string;
  clientSpecifiedPayloadChecksum: boolean;
  scheduledDestroyTime: Timestamp | null;
}

export interface ListRequest {
  parent: string;
  pageSize: number;
  pageToken: string;
  filter: string;
}

export interface IamPolicy {
  version: number;
  bindings: object[];
  auditConfigs: object[];
  etag: Buffer;
}

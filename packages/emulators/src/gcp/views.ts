// What list filters can see of a secret or a version: the resource in snake_case, with the schema
// that tells the filter compiler which paths exist.
import { leaf, map, message, repeated, type Schema, type View } from "./filter.js";
import type { StoredSecret, StoredVersion } from "./state.js";

const cmek = message({ kms_key_name: leaf("string") });

export const SECRET_SCHEMA: Schema = message({
  name: leaf("string"),
  create_time: leaf("time"),
  expire_time: leaf("time"),
  etag: leaf("string"),
  labels: map(),
  annotations: map(),
  version_aliases: map(),
  replication: message({
    automatic: message({ customer_managed_encryption: cmek }),
    user_managed: message({
      replicas: repeated(message({ location: leaf("string"), customer_managed_encryption: cmek })),
    }),
  }),
  topics: repeated(message({ name: leaf("string") })),
  rotation: message({ next_rotation_time: leaf("time"), rotation_period: leaf("duration") }),
  version_destroy_ttl: leaf("duration"),
  customer_managed_encryption: cmek,
  secret_type: leaf("enum"),
});

export const VERSION_SCHEMA: Schema = message({
  name: leaf("string"),
  create_time: leaf("time"),
  destroy_time: leaf("time"),
  scheduled_destroy_time: leaf("time"),
  state: leaf("enum"),
  etag: leaf("string"),
});

const cmekView = (c: { kmsKeyName: string } | null | undefined): View =>
  c ? { kms_key_name: c.kmsKeyName } : null;

export function secretView(s: StoredSecret): View {
  const r = s.replication;
  return {
    name: s.name,
    create_time: s.createNs,
    expire_time: s.expireNs ?? null,
    etag: s.etag,
    labels: { ...s.labels },
    annotations: { ...s.annotations },
    version_aliases: { ...s.versionAliases },
    replication: r
      ? {
          automatic: r.automatic
            ? { customer_managed_encryption: cmekView(r.automatic.customerManagedEncryption) }
            : null,
          user_managed: r.userManaged
            ? {
                replicas: r.userManaged.replicas.map((replica) => ({
                  location: replica.location,
                  customer_managed_encryption: cmekView(replica.customerManagedEncryption),
                })),
              }
            : null,
        }
      : null,
    topics: s.topics.map((t) => ({ name: t.name })),
    rotation: s.rotation
      ? {
          next_rotation_time: s.rotation.nextRotationNs ?? null,
          rotation_period: s.rotation.periodNs ?? null,
        }
      : null,
    version_destroy_ttl: s.versionDestroyTtlNs ?? null,
    customer_managed_encryption: cmekView(s.customerManagedEncryption),
    secret_type: s.secretType,
  };
}

export function versionView(secretName: string, v: StoredVersion): View {
  return {
    name: `${secretName}/versions/${v.number}`,
    create_time: v.createNs,
    destroy_time: v.destroyNs ?? null,
    scheduled_destroy_time: v.scheduledDestroyNs ?? null,
    state: v.state,
    etag: v.etag,
  };
}

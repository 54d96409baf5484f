/**
 * The built-in store types, each registered lazily so that choosing one never loads another's SDK:
 * `COFFER_STORE_TYPE=sql` must not pay for the AWS SDK at start-up.
 *
 * Adding a backend package `packages/store-<type>` means adding one line here; the meta-test in
 * this package fails until you do.
 */
import { type StoreRegistration, StoreRegistry } from "@coffer/core";
import type { KeySourceLoaders } from "@coffer/store-sql";

type Loader = () => Promise<StoreRegistration>;

/** Import a store package and take its default export (the registration). */
const from =
  (load: () => Promise<{ default: StoreRegistration }>): Loader =>
  async () =>
    (await load()).default;

/**
 * The KMS key sources the sql store may take its keys from (`COFFER_STORE_KEY_SOURCE`), loaded the
 * same lazy way: a deployment on the keyring file never loads a KMS SDK. Adding a
 * `packages/kms-<provider>` means adding one line here; the meta-test fails until you do.
 */
export const builtinKeySourceLoaders: KeySourceLoaders = {
  "aws-kms": async () => (await import("@coffer/kms-aws")).default,
  "azure-keys": async () => (await import("@coffer/kms-azure")).default,
  "gcp-kms": async () => (await import("@coffer/kms-gcp")).default,
  "vault-transit": async () => (await import("@coffer/kms-vault")).default,
};

export const builtinStoreLoaders: Record<string, Loader> = {
  memory: from(() => import("@coffer/store-memory")),
  sql: async () => (await import("@coffer/store-sql")).sqlStoreWithKeySources(builtinKeySourceLoaders),
  gcp: from(() => import("@coffer/store-gcp")),
  azure: from(() => import("@coffer/store-azure")),
  aws: from(() => import("@coffer/store-aws")),
  vault: from(() => import("@coffer/store-vault")),
};

/** A registry holding every built-in store type. */
export function builtinStores(): StoreRegistry {
  const registry = new StoreRegistry();
  for (const [type, load] of Object.entries(builtinStoreLoaders)) registry.registerLazy(type, load);
  return registry;
}

// The JSON Key Vault returns for keys: KeyBundle, DeletedKeyBundle and KeyItem (lists), with the
// `kid` URL form https://{vault}/keys/{name}/{version}. Public key material only (n, e).
import type { KeyVersion, Recovery } from "./keys.js";

export interface Named {
  name: string;
  version: KeyVersion;
}

export function kid(vaultUrl: string, name: string, version: string): string {
  return `${vaultUrl}/keys/${name}/${version}`;
}

function attributes(version: KeyVersion, recovery: Recovery) {
  return {
    enabled: version.enabled,
    ...(version.nbf !== undefined && { nbf: version.nbf }),
    ...(version.exp !== undefined && { exp: version.exp }),
    created: version.created,
    updated: version.updated,
    recoveryLevel: recovery.level,
    ...(!recovery.omitDays && { recoverableDays: recovery.days }),
  };
}

export function keyBundle(vaultUrl: string, { name, version }: Named, recovery: Recovery) {
  const jwk = version.publicKey.export({ format: "jwk" });
  return {
    key: {
      kid: kid(vaultUrl, name, version.version),
      kty: version.kty,
      key_ops: version.keyOps,
      n: jwk.n,
      e: jwk.e,
    },
    attributes: attributes(version, recovery),
    ...(version.tags && { tags: version.tags }),
  };
}

export function keyItem(vaultUrl: string, { name, version }: Named, recovery: Recovery) {
  return {
    kid: kid(vaultUrl, name, version.version),
    attributes: attributes(version, recovery),
    ...(version.tags && { tags: version.tags }),
  };
}

export function deletedKeyBundle(vaultUrl: string, key: Named, deletedDate: number, recovery: Recovery) {
  return {
    ...keyBundle(vaultUrl, key, recovery),
    recoveryId: `${vaultUrl}/deletedkeys/${key.name}`,
    deletedDate,
    scheduledPurgeDate: deletedDate + recovery.days * 86_400,
  };
}

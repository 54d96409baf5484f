/**
 * The key that seals metadata rows (metadata-seal.ts). It must not live in the metadata database —
 * whoever can write there could then forge seals — so, like the sql store's keys, it lives in a
 * file beside the data: `<data dir>/metadata.keyring.json`, the keyring shape of the sql store
 * (`{"active": "…", "keys": {"…": "<base64>"}}`), created on first start with mode 0600 and
 * refused when others may read or replace it (KeyringFile). Or it is given (`metadataKeyring`,
 * COFFER_METADATA_KEYRING, which takes `@/path` like every credential), e.g. by several server
 * instances that share one database and so must share one key.
 *
 * Operators back the file up with the sql store's keyring, apart from database backups. Losing it
 * leaves every secret's values intact, but no row can be verified: start-up refuses instead of
 * silently making a new key, exactly as the sql store does for its own keyring.
 */
import path from "node:path";
import { IntegrityError, InvalidConfigError } from "@coffer/core";
import { generateKey, Keyring, KeyringFile, parseKeyring } from "@coffer/sql";
import type { MetadataRepository } from "./metadata.js";

export const METADATA_KEYRING_FILE = "metadata.keyring.json";

export async function loadMetadataKeyring(options: {
  dataDir: string;
  /** Keyring JSON given by the operator; otherwise the file in the data directory. */
  keyring?: string;
  metadata: MetadataRepository;
}): Promise<Keyring> {
  const sealedWith = await options.metadata.sealingKeyIdInUse();
  let keyring: Keyring;
  let source: string;
  if (options.keyring !== undefined) {
    const parsed = parseKeyring(options.keyring);
    if (typeof parsed === "string") {
      throw new InvalidConfigError(`The metadata keyring is not usable: ${parsed}.`, {
        hint: 'Set COFFER_METADATA_KEYRING (metadataKeyring:) to {"active": "m1", "keys": {"m1": "<32 random bytes, base64>"}}, or to @ and the path of a file holding it.',
        details: { setting: "metadataKeyring", variable: "COFFER_METADATA_KEYRING" },
      });
    }
    keyring = parsed;
    source = "the configured metadata keyring";
  } else {
    const file = new KeyringFile(path.join(options.dataDir, METADATA_KEYRING_FILE));
    source = file.file;
    const existing = await file.read();
    if (existing) {
      keyring = existing;
    } else {
      if (sealedWith !== undefined) {
        throw new IntegrityError(
          `The metadata keyring file ${file.file} is missing, but the metadata database ${options.metadata.database.location} holds rows sealed with key '${sealedWith}'.`,
          {
            hint: `Restore ${file.file} from your backup (or point COFFER_DATA_DIR at the directory that holds it). A new key would make every secret unreadable, so none is made.`,
            details: { file: file.file, keyId: sealedWith },
          },
        );
      }
      const { id, key } = generateKey();
      keyring = await file.create(new Keyring(`m${id.slice(1)}`, new Map([[`m${id.slice(1)}`, key]])));
    }
  }
  if (sealedWith !== undefined && !keyring.has(sealedWith)) {
    throw new IntegrityError(
      `The metadata database ${options.metadata.database.location} holds rows sealed with key '${sealedWith}', which ${source} does not have (it has ${keyring.ids().join(", ")}).`,
      {
        hint: "Use the metadata keyring of this deployment: every instance that shares the database must share that keyring.",
        details: { keyId: sealedWith, keys: keyring.ids() },
      },
    );
  }
  return keyring;
}

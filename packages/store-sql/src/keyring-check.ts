/**
 * The keyring check at init: every key the stored rows name must be in the keyring and must
 * decrypt a sample of its rows, so a wrong or missing key fails at start with a message that says
 * which keys and how many secrets, instead of on some later read.
 */
import { IntegrityError, type Logger } from "@coffer/core";
import type { StoredRow } from "./deployment-rows.js";
import { type Binding, open } from "./envelope.js";
import type { KeyRows, KeyUsage } from "./key-rows.js";
import type { KeySet } from "./key-set.js";

/** Rows decrypted per key at init to prove the key is the right one. */
const KEY_CHECK_SAMPLES = 2;

/** Throws IntegrityError when no stored row can be decrypted or a key does not open its rows. */
export async function checkKeyring(
  table: KeyRows,
  keyring: KeySet,
  origin: string,
  binding: (row: StoredRow, keyId: string) => Binding,
  logger: Logger,
): Promise<void> {
  const inUse = await table.keyIds();
  const readable = inUse.filter((keyId) => keyring.has(keyId));
  if (readable.length < inUse.length) {
    // Counting each key's rows reads every row: only when a key is missing, for the messages.
    const missing = (await table.keyUsage()).filter((each) => !keyring.has(each.keyId));
    if (readable.length === 0) throw undecryptableError(missing, keyring, origin);
    for (const each of missing) {
      logger.warn(
        `${each.rows} secret(s) are encrypted with key '${each.keyId}', which is not in the keyring; reading them fails until it is added back.`,
        { keyId: each.keyId, rows: each.rows, source: origin },
      );
    }
  }
  for (const keyId of readable) {
    const samples = await table.sample(keyId, KEY_CHECK_SAMPLES);
    // A KMS key source unwraps the data key here: a foreign KEK or an outage fails init.
    const key = samples.length > 0 ? await keyring.material(keyId) : undefined;
    const failed = samples.filter(
      (row) => open(key!, binding(row, keyId), row, Number(row.format)) === undefined,
    );
    if (samples.length > 0 && failed.length === samples.length) {
      throw new IntegrityError(
        `Key '${keyId}' in ${origin} does not decrypt the secrets stored under that id: it is not the key they were encrypted with.`,
        {
          hint: `Restore the original key '${keyId}' from your keyring backup.`,
          details: { keyId, checked: samples.map((row) => row.secret_id) },
        },
      );
    }
    for (const row of failed) {
      logger.warn("A stored secret fails authentication: its row was altered or copied.", {
        id: row.secret_id,
        keyId,
      });
    }
  }
}

function undecryptableError(missing: KeyUsage[], keyring: KeySet, origin: string): IntegrityError {
  const one = missing.length === 1;
  return new IntegrityError(
    `None of the stored secrets can be decrypted: they are encrypted with ${describeUsage(missing)}, which ${one ? "is" : "are"} not in ${origin} (it holds ${quoteIds(keyring.ids())}).`,
    {
      hint: `Configure the key${one ? "" : "s"} these secrets were written with (restore ${origin} from your backup); add ${one ? "it" : "them"} back to read these secrets.`,
      details: { missingKeyIds: missing.map((each) => each.keyId), keyIds: keyring.ids() },
    },
  );
}

/** The keyring file is gone while rows encrypted with its keys remain. */
export function lostKeyringError(file: string, usage: readonly KeyUsage[]): IntegrityError {
  return new IntegrityError(
    `The keyring file ${file} does not exist, but the database holds secrets encrypted with ${describeUsage(usage)}. Coffer will not create a new key while they exist.`,
    {
      hint: "Restore the keyring file from your backup (or give the keys in option `keyring`). Without those keys the secrets cannot be read.",
      details: { file, missingKeyIds: usage.map((each) => each.keyId) },
    },
  );
}

/** The data keys table has no key while rows encrypted with data keys remain. */
export function lostDataKeysError(origin: string, usage: readonly KeyUsage[]): IntegrityError {
  return new IntegrityError(
    `The database holds secrets encrypted with ${describeUsage(usage)}, but no data key wrapped by ${origin}. Coffer will not create a new key while they exist.`,
    {
      hint: "Restore the table coffer_store_data_keys from the same database backup as the values (or switch back to the key source the secrets were written with).",
      details: { missingKeyIds: usage.map((each) => each.keyId) },
    },
  );
}

function quoteIds(ids: readonly string[]): string {
  return ids.map((id) => `'${id}'`).join(", ");
}

function describeUsage(usage: readonly { keyId: string; rows: number; revisions?: number }[]): string {
  const parts = usage.map((each) => {
    const earlier = each.revisions
      ? ` and ${each.revisions} earlier revision${each.revisions === 1 ? "" : "s"}`
      : "";
    return `key '${each.keyId}' (${each.rows} secret${each.rows === 1 ? "" : "s"}${earlier})`;
  });
  return parts.join(", ");
}

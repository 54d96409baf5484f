/**
 * How an archive is encrypted and opened: age (https://age-encryption.org/v1) through
 * `age-encryption`, the TypeScript implementation by age's author (see README for the choice).
 * A passphrase goes through age's scrypt recipient; a recipient is an `age1…` public key, opened
 * with its `AGE-SECRET-KEY-1…` identity.
 */

import { ValidationError } from "@coffer/core";
import { Decrypter, Encrypter } from "age-encryption";

export type ArchiveEncryption =
  | {
      passphrase: string /** scrypt log2(N); age's default 18. Lower only in tests. */;
      scryptWorkFactor?: number;
    }
  | { recipients: string[] };

export type ArchiveDecryption = { passphrase: string } | { identities: string[] };

export function encrypterFor(encryption: ArchiveEncryption): Encrypter {
  const encrypter = new Encrypter();
  if ("passphrase" in encryption) {
    if (encryption.passphrase.length === 0) throw new ValidationError("The backup passphrase is empty.");
    encrypter.setPassphrase(encryption.passphrase);
    if (encryption.scryptWorkFactor !== undefined) encrypter.setScryptWorkFactor(encryption.scryptWorkFactor);
    return encrypter;
  }
  if (encryption.recipients.length === 0) throw new ValidationError("No recipient to encrypt the backup to.");
  for (const recipient of encryption.recipients) {
    try {
      encrypter.addRecipient(recipient);
    } catch (error) {
      throw new ValidationError("A recipient is not an age public key.", {
        hint: "Recipients look like age1… (from `age-keygen`).",
        cause: error,
      });
    }
  }
  return encrypter;
}

export function decrypterFor(decryption: ArchiveDecryption): Decrypter {
  const decrypter = new Decrypter();
  if ("passphrase" in decryption) {
    decrypter.addPassphrase(decryption.passphrase);
    return decrypter;
  }
  if (decryption.identities.length === 0) throw new ValidationError("No identity to open the backup with.");
  for (const identity of decryption.identities) {
    try {
      decrypter.addIdentity(identity);
    } catch (error) {
      throw new ValidationError("An identity is not an age secret key.", {
        hint: "Identities look like AGE-SECRET-KEY-1….",
        cause: error,
      });
    }
  }
  return decrypter;
}

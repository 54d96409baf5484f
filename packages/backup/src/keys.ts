/** A fresh X25519 key pair for `--recipient` backups (tests and benchmarks; operators use `age-keygen`). */
import { generateX25519Identity, identityToRecipient } from "age-encryption";

export async function generateArchiveIdentity(): Promise<{ identity: string; recipient: string }> {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

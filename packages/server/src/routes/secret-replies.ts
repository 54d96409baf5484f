/**
 * How a secret is shown: `owner` is the owner's user name, `ownerId` their immutable id, the
 * version is the ETag, and values go out only to callers who may read them (value-readers and
 * up, and the owner).
 */
import { metadataToJson, type Secret, type SecretMetadata } from "@coffer/core";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import type { Caller, IdentityStore } from "../identity.js";
import { can } from "../roles.js";
import type { secretSchema } from "../schemas.js";
import { prefersMinimal } from "./prefer.js";

export async function sendSecret(
  identity: IdentityStore,
  reply: FastifyReply,
  metadata: SecretMetadata,
  who: Caller,
  secret?: Secret,
) {
  reply.header("etag", `"${metadata.version}"`);
  const body = secretJson(metadata, await ownerNames(identity, who, [metadata]));
  if (secret && (can(who.role, "read-values") || metadata.owner === who.userId)) body.values = secret.values;
  return reply.send(body);
}

/**
 * The reply to a write that returns the secret (create, replace, change, rename, visibility,
 * rollback). With `Prefer: return=minimal` (RFC 7240, prefer.ts) it is the metadata only — never
 * the values, whoever asks — and says `Preference-Applied: return=minimal`; without it, the
 * reply is what it always was. `Vary: Prefer` either way, since the header shapes the reply.
 */
export async function sendWrittenSecret(
  identity: IdentityStore,
  request: FastifyRequest,
  reply: FastifyReply,
  metadata: SecretMetadata,
  who: Caller,
  secret?: Secret,
) {
  reply.header("vary", "Prefer");
  if (!prefersMinimal(request.headers)) return sendSecret(identity, reply, metadata, who, secret);
  reply.header("preference-applied", "return=minimal");
  return sendSecret(identity, reply, metadata, who);
}

/** The owners' names by id; the caller's own name is known without asking. */
export async function ownerNames(
  identity: IdentityStore,
  who: Caller,
  items: SecretMetadata[],
): Promise<Map<string, string>> {
  const others = items.map((item) => item.owner).filter((owner) => owner !== who.userId);
  const names = others.length > 0 ? await identity.namesOf(others) : new Map<string, string>();
  names.set(who.userId, who.user);
  return names;
}

/**
 * A secret as the API shows it: `owner` is the owner's user name, `ownerId` their immutable id.
 * When the owner was deleted (or the secret came from local mode) there is no name: `owner`
 * shows the stored id.
 */
export function secretJson(
  metadata: SecretMetadata,
  names: Map<string, string>,
): z.input<typeof secretSchema> {
  return {
    ...metadataToJson(metadata),
    owner: names.get(metadata.owner) ?? metadata.owner,
    ownerId: metadata.owner,
  };
}

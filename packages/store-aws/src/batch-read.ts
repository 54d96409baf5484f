/**
 * getMany: BatchGetSecretValue over the ids, 20 per call, a few calls in flight; then the ownership
 * check of what was read (by ARN), and the ids the service did not answer for read one by one
 * rather than guessed.
 */
import { BatchGetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import {
  chunk,
  mapWithConcurrency,
  type SecretId,
  SecretNotFoundError,
  type SecretValues,
} from "@coffer/core";
import { decodeStoredValues } from "@coffer/store-kit";
import type { SecretsManagerCalls } from "./client.js";
import { AWS_BACKEND, attempt, isScheduledForDeletion, toStoreError } from "./errors.js";
import type { SecretNaming } from "./naming.js";

/** BatchGetSecretValue takes at most 20 secret ids per call. */
export const BATCH_GET_MAX = 20;
/** Batch calls a single getMany keeps in flight. */
const BATCH_CONCURRENCY = 4;

export interface BatchRead {
  read: Map<SecretId, { arn: string | undefined; text: string | undefined }>;
  unanswered: SecretId[];
}

export async function readBatches(
  api: SecretsManagerCalls,
  naming: SecretNaming,
  ids: readonly SecretId[],
): Promise<BatchRead> {
  const result: BatchRead = { read: new Map(), unanswered: [] };
  await mapWithConcurrency(chunk(ids, BATCH_GET_MAX), BATCH_CONCURRENCY, async (batch) => {
    const answer = await attempt({ operation: "read" }, () =>
      api.send(
        "BatchGetSecretValue",
        new BatchGetSecretValueCommand({ SecretIdList: batch.map((id) => naming.name(id)) }),
      ),
    );
    const answered = new Set<SecretId>();
    for (const entry of answer.SecretValues ?? []) {
      const id = naming.idOf(entry.Name);
      if (id === undefined || !batch.includes(id)) continue;
      answered.add(id);
      result.read.set(id, { arn: entry.ARN, text: entry.SecretString });
    }
    for (const failure of answer.Errors ?? []) {
      const id = naming.idOf(failure.SecretId);
      if (id === undefined) continue;
      answered.add(id);
      const asError = { name: failure.ErrorCode, message: failure.Message ?? "", $metadata: {} };
      if (failure.ErrorCode === "ResourceNotFoundException" || isScheduledForDeletion(asError)) continue;
      throw toStoreError(asError, { operation: "read", id });
    }
    for (const id of batch) if (!answered.has(id)) result.unanswered.push(id);
  });
  return result;
}

/** The values of the ids that exist and are this deployment's, in the order of `ids` (unique). */
export async function readMany(
  api: SecretsManagerCalls,
  naming: SecretNaming,
  ids: readonly SecretId[],
  store: {
    concurrency: number;
    isOwned: (id: SecretId, arn: string | undefined) => Promise<boolean>;
    readOne: (id: SecretId) => Promise<SecretValues>;
  },
): Promise<Map<SecretId, SecretValues>> {
  const { read, unanswered } = await readBatches(api, naming, ids);
  const owned = new Set<SecretId>();
  await mapWithConcurrency([...read], store.concurrency, async ([id, { arn }]) => {
    if (await store.isOwned(id, arn)) owned.add(id);
  });
  const alone = new Map<SecretId, SecretValues>();
  await mapWithConcurrency(unanswered, store.concurrency, async (id) => {
    try {
      alone.set(id, await store.readOne(id));
    } catch (error) {
      if (!(error instanceof SecretNotFoundError)) throw error;
    }
  });
  const found = new Map<SecretId, SecretValues>();
  for (const id of ids) {
    const entry = read.get(id);
    if (entry && owned.has(id)) found.set(id, decodeStoredValues(id, entry.text, AWS_BACKEND.service));
    const single = alone.get(id);
    if (single) found.set(id, single);
  }
  return found;
}

/**
 * getMany's first step: BatchGetSecretValue over the ids, 20 per call, a few calls in flight. It
 * returns what was read (with the ARN, for the ownership check that follows) and the ids the
 * service did not answer for, which the store then reads one by one rather than guess.
 */
import { BatchGetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { chunk, mapWithConcurrency, type SecretId } from "@coffer/core";
import type { SecretsManagerCalls } from "./client.js";
import { attempt, isScheduledForDeletion, toStoreError } from "./errors.js";
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

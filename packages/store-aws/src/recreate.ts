/**
 * Create over a name scheduled for deletion. If the secret under the name is ours, RestoreSecret
 * then PutSecretValue (the restored secret keeps its ARN, tags and KMS key; its history keeps the
 * old values as earlier versions, but not their revision labels: the new secret starts at revision 1). Restoring is deterministic where "force delete, then create" is
 * not: Secrets Manager finishes a forced delete asynchronously and refuses the name until then.
 */
import {
  DeleteSecretCommand,
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  PutSecretValueCommand,
  RestoreSecretCommand,
} from "@aws-sdk/client-secrets-manager";
import { BackendUnavailableError, type Logger, type SecretId } from "@coffer/core";
import { revisionLabel, secretExists } from "@coffer/store-kit";
import type { SecretsManagerCalls } from "./client.js";
import { AWS_BACKEND, errorCode, toStoreError } from "./errors.js";
import type { SecretNaming, VerifiedArns } from "./naming.js";
import type { DeleteInput } from "./options.js";
import { keptRevisions, unlabel } from "./revisions.js";

export interface Recreation {
  api: SecretsManagerCalls;
  naming: SecretNaming;
  verified: VerifiedArns;
  logger: Logger;
  deleteInput: DeleteInput;
}

/** "done", or "name-free" when the pending deletion completed meanwhile (create again). */
export async function recreateOverDeleted(
  { api, naming, verified, logger, deleteInput }: Recreation,
  id: SecretId,
  secretString: string,
  original: unknown,
): Promise<"done" | "name-free"> {
  let secret: DescribeSecretCommandOutput;
  try {
    secret = await api.send("DescribeSecret", new DescribeSecretCommand({ SecretId: naming.name(id) }));
  } catch (error) {
    if (errorCode(error) === "ResourceNotFoundException") return "name-free";
    throw toStoreError(error, { operation: "create", id });
  }
  if (!naming.owns(id, secret.Tags)) throw secretExists(id, AWS_BACKEND.service);
  if (!secret.DeletedDate) throw toStoreError(original, { operation: "create", id });
  try {
    await api.send("RestoreSecret", new RestoreSecretCommand({ SecretId: secret.ARN }));
  } catch (error) {
    if (errorCode(error) === "InvalidRequestException") {
      // A forced delete still in progress cannot be restored; the name is free once it ends.
      throw new BackendUnavailableError(
        `The name of secret ${id} is still being released by a forced delete in Secrets Manager.`,
        { hint: "Retry the create shortly.", details: { id, backendCode: "InvalidRequestException" } },
      );
    }
    throw toStoreError(error, { operation: "create", id });
  }
  try {
    await api.send(
      "PutSecretValue",
      new PutSecretValueCommand({
        SecretId: secret.ARN,
        SecretString: secretString,
        VersionStages: ["AWSCURRENT", revisionLabel(1)],
      }),
    );
  } catch (error) {
    // Put the deletion back, so that a failed create does not revive the old values.
    await api
      .send("DeleteSecret", new DeleteSecretCommand({ SecretId: secret.ARN, ...deleteInput }))
      .catch(() => logger.warn("Could not delete again a secret restored for a failed create.", { id }));
    throw toStoreError(error, { operation: "create", id });
  }
  // The new secret's history starts at 1: the old life's revision labels come off.
  const target = { id, arn: secret.ARN as string, kept: keptRevisions(secret) };
  await unlabel(api, logger, target, (revision) => revision !== 1);
  verified.add(secret.ARN);
  return "done";
}

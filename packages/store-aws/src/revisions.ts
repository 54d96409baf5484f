/**
 * Revisions on Secrets Manager. Each version Coffer writes carries a staging label naming its
 * revision, `coffer-r<n>` (+1 per update): the label keeps the version from being
 * deprecated and pruned, lets getRevision read it in one call (GetSecretValue by VersionStage), and
 * DescribeSecret's VersionIdsToStages maps every kept revision to its version id. Retention takes the
 * label off revisions older than the newest `maxVersions`; an unlabelled version is deprecated, and
 * Secrets Manager removes it on its own schedule.
 *
 * Revision 1 is the exception: CreateSecret takes no staging labels, and labelling right after it
 * would double the requests of every create (the bulk of a migration or a restore). So a secret
 * with no revision label at all is at revision 1, its AWSCURRENT version; the first update labels
 * that version `coffer-r1` before it writes revision 2 (labelFirstBeforeUpdate).
 *
 * Quota: a secret's versions carry at most 20 staging labels in all, AWSCURRENT and AWSPREVIOUS
 * included, and an update labels the new revision before it unlabels the oldest: so at most 17
 * revisions can be kept (MAX_KEPT_REVISIONS).
 */
import {
  type DescribeSecretCommandOutput,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import type { Logger, SecretId } from "@coffer/core";
import type { SecretsManagerCalls } from "./client.js";
import { attempt, errorCode } from "./errors.js";

export const MAX_KEPT_REVISIONS = 17;
const LABEL = /^coffer-r([1-9][0-9]*)$/;

export function revisionLabel(revision: number): string {
  return `coffer-r${revision}`;
}

/** Kept revisions and their version ids, from DescribeSecret's VersionIdsToStages. */
export function keptRevisions(
  described: Pick<DescribeSecretCommandOutput, "VersionIdsToStages">,
): Map<number, string> {
  const kept = new Map<number, string>();
  for (const [versionId, stages] of Object.entries(described.VersionIdsToStages ?? {})) {
    for (const stage of stages) {
      const match = LABEL.exec(stage);
      if (match) kept.set(Number(match[1]), versionId);
    }
  }
  return kept;
}

/**
 * The revision of the AWSCURRENT version. A current version without a revision label was written
 * before Coffer kept history (or by hand): it counts as revision 1, and history starts there.
 */
export function currentRevisionOf(
  described: Pick<DescribeSecretCommandOutput, "VersionIdsToStages">,
): number {
  for (const stages of Object.values(described.VersionIdsToStages ?? {})) {
    if (!stages.includes("AWSCURRENT")) continue;
    const label = stages.map((stage) => LABEL.exec(stage)).find((match) => match !== null);
    return label ? Number(label[1]) : 1;
  }
  return 1;
}

/**
 * Takes the revision label off every kept revision for which `drop` is true. Best effort: the
 * write that came before succeeded, so a failure is logged, and the next update sweeps again.
 */
export async function unlabel(
  api: SecretsManagerCalls,
  logger: Logger,
  target: { id: SecretId; arn: string; kept: Map<number, string> },
  drop: (revision: number) => boolean,
): Promise<void> {
  for (const [revision, versionId] of target.kept) {
    if (!drop(revision)) continue;
    const command = new UpdateSecretVersionStageCommand({
      SecretId: target.arn,
      VersionStage: revisionLabel(revision),
      RemoveFromVersionId: versionId,
    });
    await api.send("UpdateSecretVersionStage", command).catch((error: unknown) => {
      logger.warn("aws store: could not take a revision label off an old version", {
        id: target.id,
        revision,
        errorCode: errorCode(error) ?? "error",
      });
    });
  }
}

/** The version id AWSCURRENT is on. */
export function currentVersionIdOf(
  described: Pick<DescribeSecretCommandOutput, "VersionIdsToStages">,
): string | undefined {
  for (const [versionId, stages] of Object.entries(described.VersionIdsToStages ?? {})) {
    if (stages.includes("AWSCURRENT")) return versionId;
  }
  return undefined;
}

/**
 * Before the first update of a secret that has no revision label at all (a create is one
 * CreateSecret, which cannot set staging labels; or a secret written before Coffer kept history),
 * labels its current version `coffer-r1`: until then AWSCURRENT is revision 1 by definition (see
 * currentRevisionOf), and the update is about to move AWSCURRENT away, after which only the label
 * keeps the version readable as revision 1. Not best effort: without the label, revision 1 would
 * be lost, so the update fails before it writes. Moving the label is idempotent, so two updates
 * racing here both succeed.
 */
export async function labelFirstBeforeUpdate(
  api: SecretsManagerCalls,
  target: { id: SecretId; arn: string; kept: Map<number, string>; currentVersionId: string | undefined },
): Promise<void> {
  if (target.kept.size > 0 || target.currentVersionId === undefined) return;
  const command = new UpdateSecretVersionStageCommand({
    SecretId: target.arn,
    VersionStage: revisionLabel(1),
    MoveToVersionId: target.currentVersionId,
  });
  await attempt({ operation: "update", id: target.id }, () => api.send("UpdateSecretVersionStage", command));
}

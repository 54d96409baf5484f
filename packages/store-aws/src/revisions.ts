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
 *
 * The label's form and the retention rule are the kit's (revisionLabel, RevisionHistory).
 */
import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetSecretValueCommand,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import type { Logger, SecretId } from "@coffer/core";
import { revisionLabel, revisionOfLabel } from "@coffer/store-kit";
import type { SecretsManagerCalls } from "./client.js";
import { attempt, errorCode, isMissing, lookup } from "./errors.js";
import type { SecretNaming } from "./naming.js";

export const MAX_KEPT_REVISIONS = 17;

/** Kept revisions and their version ids, from DescribeSecret's VersionIdsToStages. */
export function keptRevisions(
  described: Pick<DescribeSecretCommandOutput, "VersionIdsToStages">,
): Map<number, string> {
  const kept = new Map<number, string>();
  for (const [versionId, stages] of Object.entries(described.VersionIdsToStages ?? {})) {
    for (const stage of stages) {
      const revision = revisionOfLabel(stage);
      if (revision !== undefined) kept.set(revision, versionId);
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
    const label = stages.map(revisionOfLabel).find((revision) => revision !== undefined);
    return label ?? 1;
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

/**
 * GetSecretValue of revision `revision` by its label; undefined when no version carries it (pruned
 * by retention, or never written). Revision 1 of a secret never updated has no label: see
 * unlabelledFirst.
 */
export async function readRevision(
  api: SecretsManagerCalls,
  naming: SecretNaming,
  id: SecretId,
  revision: number,
) {
  const found = await readVersion(api, naming, id, { VersionStage: revisionLabel(revision) });
  return found === undefined && revision === 1 ? unlabelledFirst(api, naming, id) : found;
}

/** GetSecretValue of one version (by label or id); undefined when there is no such version. */
function readVersion(
  api: SecretsManagerCalls,
  naming: SecretNaming,
  id: SecretId,
  version: { VersionStage: string } | { VersionId: string },
  arn?: string,
) {
  const read = new GetSecretValueCommand({ SecretId: arn ?? naming.name(id), ...version });
  return lookup({ operation: "read", id }, () => api.send("GetSecretValue", read), isMissing);
}

/**
 * Revision 1 when no version carries a revision label: the AWSCURRENT version, read by its
 * version id (DescribeSecret + GetSecretValue, only after the label lookup missed). Read by id,
 * so an update that labels it and moves AWSCURRENT on in between changes nothing: that version
 * is revision 1 either way. A secret with labels whose `coffer-r1` is gone has no revision 1.
 */
async function unlabelledFirst(api: SecretsManagerCalls, naming: SecretNaming, id: SecretId) {
  const secret = await lookup(
    { operation: "read", id },
    () => api.send("DescribeSecret", new DescribeSecretCommand({ SecretId: naming.name(id) })),
    isMissing,
  );
  if (secret?.ARN === undefined || secret.DeletedDate || keptRevisions(secret).size > 0) return undefined;
  const versionId = currentVersionIdOf(secret);
  return versionId === undefined
    ? undefined
    : readVersion(api, naming, id, { VersionId: versionId }, secret.ARN);
}

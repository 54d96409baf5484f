/**
 * A SecretsStore on AWS Secrets Manager: one AWS secret per Coffer secret, named
 * `<namePrefix>/<deployment>/<id>`, holding the JSON of the values map as SecretString, tagged
 * with the kit's ownership marks.
 *
 * Ownership is checked by tags. GetSecretValue and BatchGetSecretValue do not return tags, so a read
 * would cost a DescribeSecret too; instead the store remembers which ARNs it has verified (see
 * VerifiedArns) and a read costs one call once an ARN is known: always for secrets this process
 * created, and after the first read for the others. Writes look the secret up with DescribeSecret
 * (tags and deletion state) and then address it by its full ARN, so they can only ever touch the
 * incarnation whose tags were checked. The create over a name scheduled for deletion is recreate.ts.
 */
import {
  CreateSecretCommand,
  type CreateSecretCommandOutput,
  DeleteSecretCommand,
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
} from "@aws-sdk/client-secrets-manager";
import type { SecretId, SecretValues, StoreCapabilities, StoreContext, UpdateOptions } from "@coffer/core";
import { assertSecretId, SecretNotFoundError } from "@coffer/core";
import {
  BackendStore,
  backendCapabilities,
  decodeStoredValues,
  nothingToRestore,
  notOurs,
  RevisionHistory,
  revisionLabel,
  secretExists,
} from "@coffer/store-kit";
import { BATCH_GET_MAX, readMany } from "./batch-read.js";
import { type AwsOperation, MAX_SECRET_STRING_BYTES, SecretsManagerCalls } from "./client.js";
import { AWS_BACKEND, attempt, errorCode, isMissing, lookup, toStoreError } from "./errors.js";
import { SecretNaming, VerifiedArns } from "./naming.js";
import { type DeletePolicy, deleteInput, deletePolicy, type ParsedAwsStoreOptions } from "./options.js";
import { OwnerCheck } from "./owner-check.js";
import { type Recreation, recreateOverDeleted } from "./recreate.js";
import {
  currentRevisionOf,
  currentVersionIdOf,
  keptRevisions,
  labelFirstBeforeUpdate,
  readRevision,
  unlabel,
} from "./revisions.js";

export class AwsStore extends BackendStore {
  readonly type = "aws";
  readonly #options: ParsedAwsStoreOptions;
  readonly #naming: SecretNaming;
  readonly #delete: DeletePolicy;
  readonly #verified = new VerifiedArns();
  readonly #context: StoreContext;
  readonly #api: SecretsManagerCalls;
  readonly #owner: OwnerCheck;
  readonly #history: RevisionHistory;
  /** What a create over a name scheduled for deletion needs (recreate.ts). */
  readonly #recreation: Recreation;

  constructor(options: ParsedAwsStoreOptions, context: StoreContext) {
    super();
    this.#options = options;
    this.#context = context;
    this.#api = new SecretsManagerCalls(options);
    this.#naming = new SecretNaming(options.namePrefix, context.deploymentId, options.extraTags);
    this.#delete = deletePolicy(options);
    this.#owner = new OwnerCheck(this.#api, this.#naming, this.#verified, context.logger);
    const kept = `Revisions older than the newest ${options.maxVersions} lose their label and are pruned.`;
    this.#history = new RevisionHistory(options.maxVersions, kept);
    const { logger } = context;
    const recreation = { api: this.#api, naming: this.#naming, verified: this.#verified, logger };
    this.#recreation = { ...recreation, deleteInput: deleteInput(this.#delete) };
  }

  /** Test and metrics hook: requests sent so far, per operation. */
  get calls(): Record<AwsOperation, number> {
    return this.#api.calls;
  }

  capabilities(): StoreCapabilities {
    const softDelete = !this.#delete.force;
    return backendCapabilities({
      maxValueBytes: MAX_SECRET_STRING_BYTES,
      batchGetMax: BATCH_GET_MAX,
      softDelete,
      versions: true,
    });
  }

  /** The AWS secret name for an id (for operators and tests). */
  nameOf(id: SecretId): string {
    return this.#naming.name(id);
  }

  protected async probe(): Promise<void> {
    // A lookup of a name under our prefix that never exists: it needs only DescribeSecret on the
    // prefix (no ListSecrets), and it proves the endpoint, the credentials and the policy at once.
    await lookup(
      { operation: "access check" },
      () => this.#api.send("DescribeSecret", new DescribeSecretCommand({ SecretId: this.#naming.probeName })),
      isMissing,
    );
  }

  async create(id: SecretId, values: SecretValues): Promise<void> {
    this.assertWrite(id, values);
    const secretString = JSON.stringify(values);
    let created: CreateSecretCommandOutput;
    try {
      created = await this.#api.send(
        "CreateSecret",
        new CreateSecretCommand({
          Name: this.#naming.name(id),
          SecretString: secretString,
          Tags: this.#naming.tags(id),
          ...(this.#options.kmsKeyId !== undefined && { KmsKeyId: this.#options.kmsKeyId }),
        }),
      );
    } catch (error) {
      if (errorCode(error) === "ResourceExistsException") throw secretExists(id, AWS_BACKEND.service);
      // The name is held by a secret scheduled for deletion (ours after a delete with a recovery
      // window, or a forced delete Secrets Manager has not finished yet).
      if (errorCode(error) !== "InvalidRequestException")
        throw toStoreError(error, { operation: "create", id });
      const recreated = await recreateOverDeleted(this.#recreation, id, secretString, error);
      if (recreated === "name-free") return this.create(id, values);
      return;
    }
    // One request: the new version is revision 1 without a label (see revisions.ts).
    this.#verified.add(created.ARN);
  }

  async get(id: SecretId): Promise<SecretValues> {
    assertSecretId(id);
    const found = await attempt({ operation: "read", id }, () =>
      this.#api.send("GetSecretValue", new GetSecretValueCommand({ SecretId: this.#naming.name(id) })),
    );
    if (!(await this.#owner.isOwned(id, found.ARN))) throw notOurs(id, AWS_BACKEND.service);
    return decodeStoredValues(id, found.SecretString, AWS_BACKEND.service);
  }

  override async getMany(ids: readonly SecretId[]): Promise<Map<SecretId, SecretValues>> {
    const unique = [...new Set(ids)];
    for (const id of unique) assertSecretId(id);
    return readMany(this.#api, this.#naming, unique, {
      concurrency: this.getManyConcurrency,
      isOwned: (id, arn) => this.#owner.isOwned(id, arn),
      readOne: (id) => this.get(id),
    });
  }

  async update(id: SecretId, values: SecretValues, options?: UpdateOptions): Promise<void> {
    this.assertCasSupported(options);
    this.assertWrite(id, values);
    const secret = await this.#describeLive(id, "update");
    const revision = currentRevisionOf(secret) + 1;
    const oldest = this.#history.newestDropped(revision);
    const target = { id, arn: secret.ARN, kept: keptRevisions(secret) };
    // Revision 1 unlabelled (a secret never updated) gets its label before AWSCURRENT moves off
    // it, unless retention would take it off again at once (maxVersions 1).
    if (oldest < 1)
      await labelFirstBeforeUpdate(this.#api, { ...target, currentVersionId: currentVersionIdOf(secret) });
    const put = new PutSecretValueCommand({
      SecretId: secret.ARN,
      SecretString: JSON.stringify(values),
      VersionStages: ["AWSCURRENT", revisionLabel(revision)],
    });
    await attempt({ operation: "update", id }, () => this.#api.send("PutSecretValue", put));
    await unlabel(this.#api, this.#context.logger, target, (kept) => kept <= oldest);
  }

  /** The revision the AWSCURRENT version's label names (see revisions.ts). */
  override async currentRevision(id: SecretId): Promise<number> {
    assertSecretId(id);
    return currentRevisionOf(await this.#describeLive(id, "read"));
  }

  /** GetSecretValue by the revision's label (see revisions.ts); one unlabelled by retention is not found. */
  override async getRevision(id: SecretId, revision: number): Promise<SecretValues> {
    assertSecretId(id);
    this.#history.assertPossible(id, revision);
    const found = await readRevision(this.#api, this.#naming, id, revision);
    if (found === undefined) throw this.#history.missing(id, revision);
    if (!(await this.#owner.isOwned(id, found.ARN))) throw notOurs(id, AWS_BACKEND.service);
    return decodeStoredValues(id, found.SecretString, AWS_BACKEND.service);
  }

  async delete(id: SecretId): Promise<void> {
    assertSecretId(id);
    const secret = await this.#describeLive(id, "delete");
    const command = new DeleteSecretCommand({ SecretId: secret.ARN, ...deleteInput(this.#delete) });
    await attempt({ operation: "delete", id }, () => this.#api.send("DeleteSecret", command));
  }

  override async restore(id: SecretId): Promise<void> {
    if (this.#delete.force) return super.restore(id);
    assertSecretId(id);
    const secret = await this.#describe(id, "restore");
    if (!secret.DeletedDate) throw nothingToRestore(id);
    await attempt({ operation: "restore", id }, () =>
      this.#api.send("RestoreSecret", new RestoreSecretCommand({ SecretId: secret.ARN })),
    );
  }

  protected describe(): string {
    const { region, endpoint } = this.#options;
    return `Secrets Manager in ${region}${endpoint ? ` at ${endpoint}` : ""}`;
  }

  async close(): Promise<void> {
    this.#api.close();
    this.#verified.clear();
  }

  // --- internals -------------------------------------------------------------------------------

  /** DescribeSecret by name; a secret that is missing or not ours is SecretNotFoundError. */
  async #describe(id: SecretId, operation: string): Promise<DescribeSecretCommandOutput & { ARN: string }> {
    const secret = await attempt({ operation, id }, () =>
      this.#api.send("DescribeSecret", new DescribeSecretCommand({ SecretId: this.#naming.name(id) })),
    );
    if (secret.ARN === undefined || !this.#naming.owns(id, secret.Tags))
      throw notOurs(id, AWS_BACKEND.service);
    this.#verified.add(secret.ARN);
    return secret as DescribeSecretCommandOutput & { ARN: string };
  }

  /** `#describe`, refusing a secret scheduled for deletion (it is deleted, as far as Coffer goes). */
  async #describeLive(id: SecretId, operation: string) {
    const secret = await this.#describe(id, operation);
    if (secret.DeletedDate) {
      throw new SecretNotFoundError(`Secret ${id} is deleted (scheduled for deletion in Secrets Manager).`, {
        hint: this.#delete.force ? "Create it again." : "Restore it, or create it again.",
        details: { id },
      });
    }
    return secret;
  }
}

/**
 * A SecretsStore on AWS Secrets Manager: one AWS secret per Coffer secret, named
 * `<namePrefix>/<deploymentId>/<id>`, holding the JSON of the values map as SecretString, tagged
 * with the deployment and secret id.
 *
 * Ownership is checked by tags. GetSecretValue and BatchGetSecretValue do not return tags, so a read
 * would cost a DescribeSecret too; instead the store remembers which ARNs it has verified (see
 * VerifiedArns) and a read costs one call once an ARN is known: always for secrets this process
 * created, and after the first read for the others. Writes look the secret up with DescribeSecret
 * (tags and deletion state) and then address it by its full ARN, so they can only ever touch the
 * incarnation whose tags were checked.
 */
import {
  BatchGetSecretValueCommand,
  type BatchGetSecretValueCommandOutput,
  CreateSecretCommand,
  type CreateSecretCommandOutput,
  DeleteSecretCommand,
  type DeleteSecretCommandOutput,
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  PutSecretValueCommand,
  type PutSecretValueCommandOutput,
  RestoreSecretCommand,
  type RestoreSecretCommandOutput,
  SecretsManagerClient,
  type SecretsManagerClientConfig,
} from "@aws-sdk/client-secrets-manager";
import {
  AbstractSecretsStore,
  assertSecretId,
  BackendUnavailableError,
  chunk,
  type HealthReport,
  IntegrityError,
  InvalidConfigError,
  mapWithConcurrency,
  probeHealth,
  SecretExistsError,
  type SecretId,
  SecretNotFoundError,
  type SecretValues,
  type StoreCapabilities,
  type StoreContext,
  type UpdateOptions,
} from "@coffer/core";
import { errorCode, isScheduledForDeletion, toStoreError } from "./errors.js";
import { SecretNaming, VerifiedArns } from "./naming.js";
import { DEPLOYMENT_ID, type DeletePolicy, deletePolicy, type ResolvedAwsStoreOptions } from "./options.js";

/** SecretString's limit: 65,536 bytes (CreateSecret, API reference; Secrets Manager quotas). */
export const MAX_SECRET_STRING_BYTES = 65_536;
/** BatchGetSecretValue takes at most 20 secret ids per call. */
export const BATCH_GET_MAX = 20;
/** Batch calls a single getMany keeps in flight. */
const BATCH_CONCURRENCY = 4;

/** What each Secrets Manager operation the store calls answers. */
interface Outputs {
  CreateSecret: CreateSecretCommandOutput;
  GetSecretValue: GetSecretValueCommandOutput;
  BatchGetSecretValue: BatchGetSecretValueCommandOutput;
  PutSecretValue: PutSecretValueCommandOutput;
  DescribeSecret: DescribeSecretCommandOutput;
  DeleteSecret: DeleteSecretCommandOutput;
  RestoreSecret: RestoreSecretCommandOutput;
}

/** The Secrets Manager operations the store calls; `calls` counts them (a test and metrics hook). */
export type AwsOperation = keyof Outputs;

type Command =
  | CreateSecretCommand
  | GetSecretValueCommand
  | BatchGetSecretValueCommand
  | PutSecretValueCommand
  | DescribeSecretCommand
  | DeleteSecretCommand
  | RestoreSecretCommand;

export class AwsSecretsStore extends AbstractSecretsStore {
  readonly type = "aws";
  /** Requests sent so far, per operation. */
  readonly calls: Record<AwsOperation, number> = {
    CreateSecret: 0,
    GetSecretValue: 0,
    BatchGetSecretValue: 0,
    PutSecretValue: 0,
    DescribeSecret: 0,
    DeleteSecret: 0,
    RestoreSecret: 0,
  };

  readonly #options: ResolvedAwsStoreOptions;
  readonly #naming: SecretNaming;
  readonly #delete: DeletePolicy;
  readonly #verified = new VerifiedArns();
  readonly #context: StoreContext;
  #client: SecretsManagerClient | undefined;

  constructor(options: ResolvedAwsStoreOptions, context: StoreContext) {
    super();
    if (!DEPLOYMENT_ID.test(context.deploymentId)) {
      throw new InvalidConfigError(
        `The deployment id '${context.deploymentId.slice(0, 80)}' cannot be part of a Secrets Manager name.`,
        {
          hint: "Use a deployment id of 1–128 letters, digits and _+=.@- (set COFFER_DEPLOYMENT_ID).",
          details: { deploymentId: context.deploymentId.slice(0, 80) },
        },
      );
    }
    this.#options = options;
    this.#context = context;
    this.#naming = new SecretNaming(options.namePrefix, context.deploymentId, options.extraTags);
    this.#delete = deletePolicy(options);
  }

  capabilities(): StoreCapabilities {
    return {
      access: "read-write",
      maxValueBytes: MAX_SECRET_STRING_BYTES,
      batchGetMax: BATCH_GET_MAX,
      versions: false,
      cas: false,
      softDelete: !this.#delete.force,
    };
  }

  /** The AWS secret name for an id (for operators and tests). */
  nameOf(id: SecretId): string {
    return this.#naming.name(id);
  }

  async init(): Promise<void> {
    // A lookup of a name under our prefix that never exists: it needs only DescribeSecret on the
    // prefix (no ListSecrets), and it proves the endpoint, the credentials and the policy at once.
    try {
      await this.#send("DescribeSecret", new DescribeSecretCommand({ SecretId: this.#naming.probeName }));
    } catch (error) {
      if (errorCode(error) === "ResourceNotFoundException") return;
      throw toStoreError(error, { operation: "reach" });
    }
  }

  async create(id: SecretId, values: SecretValues): Promise<void> {
    assertSecretId(id);
    this.assertWithinLimit(id, values);
    const secretString = JSON.stringify(values);
    try {
      const created = await this.#send(
        "CreateSecret",
        new CreateSecretCommand({
          Name: this.#naming.name(id),
          SecretString: secretString,
          Tags: this.#naming.tags(id),
          ...(this.#options.kmsKeyId !== undefined && { KmsKeyId: this.#options.kmsKeyId }),
        }),
      );
      this.#verified.add(created.ARN);
    } catch (error) {
      if (errorCode(error) === "ResourceExistsException") throw exists(id);
      // The name is held by a secret scheduled for deletion (ours after a delete with a recovery
      // window, or a forced delete Secrets Manager has not finished yet).
      if (errorCode(error) === "InvalidRequestException") return this.#recreate(id, secretString, error);
      throw toStoreError(error, { operation: "create", id });
    }
  }

  async get(id: SecretId): Promise<SecretValues> {
    assertSecretId(id);
    let found: GetSecretValueCommandOutput;
    try {
      found = await this.#send(
        "GetSecretValue",
        new GetSecretValueCommand({ SecretId: this.#naming.name(id) }),
      );
    } catch (error) {
      throw toStoreError(error, { operation: "read", id });
    }
    await this.#assertOwned(id, found.ARN);
    return parseValues(id, found.SecretString);
  }

  override async getMany(ids: readonly SecretId[]): Promise<Map<SecretId, SecretValues>> {
    const unique = [...new Set(ids)];
    for (const id of unique) assertSecretId(id);
    const read = new Map<SecretId, { arn: string | undefined; text: string | undefined }>();
    const unanswered: SecretId[] = [];
    await mapWithConcurrency(chunk(unique, BATCH_GET_MAX), BATCH_CONCURRENCY, async (batch) => {
      let answer: BatchGetSecretValueCommandOutput;
      try {
        answer = await this.#send(
          "BatchGetSecretValue",
          new BatchGetSecretValueCommand({ SecretIdList: batch.map((id) => this.#naming.name(id)) }),
        );
      } catch (error) {
        throw toStoreError(error, { operation: "read" });
      }
      const answered = new Set<SecretId>();
      for (const entry of answer.SecretValues ?? []) {
        const id = this.#naming.idOf(entry.Name);
        if (id === undefined || !batch.includes(id)) continue;
        answered.add(id);
        read.set(id, { arn: entry.ARN, text: entry.SecretString });
      }
      for (const failure of answer.Errors ?? []) {
        const id = this.#naming.idOf(failure.SecretId);
        if (id === undefined) continue;
        answered.add(id);
        const asError = { name: failure.ErrorCode, message: failure.Message ?? "", $metadata: {} };
        if (failure.ErrorCode === "ResourceNotFoundException" || isScheduledForDeletion(asError)) continue;
        throw toStoreError(asError, { operation: "read", id });
      }
      // The service answers every listed id one way or the other; should one be missing, read it
      // on its own rather than guess.
      for (const id of batch) if (!answered.has(id)) unanswered.push(id);
    });
    const found = new Map<SecretId, SecretValues>();
    const owned = new Set<SecretId>();
    await mapWithConcurrency([...read], this.getManyConcurrency, async ([id, { arn }]) => {
      if (await this.#isOwned(id, arn)) owned.add(id);
    });
    const alone = new Map<SecretId, SecretValues>();
    await mapWithConcurrency(unanswered, this.getManyConcurrency, async (id) => {
      try {
        alone.set(id, await this.get(id));
      } catch (error) {
        if (!(error instanceof SecretNotFoundError)) throw error;
      }
    });
    for (const id of unique) {
      const entry = read.get(id);
      if (entry && owned.has(id)) found.set(id, parseValues(id, entry.text));
      const single = alone.get(id);
      if (single) found.set(id, single);
    }
    return found;
  }

  async update(id: SecretId, values: SecretValues, options?: UpdateOptions): Promise<void> {
    this.assertCasSupported(options);
    assertSecretId(id);
    this.assertWithinLimit(id, values);
    const secret = await this.#describeLive(id, "update");
    try {
      await this.#send(
        "PutSecretValue",
        new PutSecretValueCommand({ SecretId: secret.ARN, SecretString: JSON.stringify(values) }),
      );
    } catch (error) {
      throw toStoreError(error, { operation: "update", id });
    }
  }

  async delete(id: SecretId): Promise<void> {
    assertSecretId(id);
    const secret = await this.#describeLive(id, "delete");
    try {
      await this.#send(
        "DeleteSecret",
        new DeleteSecretCommand({ SecretId: secret.ARN, ...this.#deleteInput() }),
      );
    } catch (error) {
      throw toStoreError(error, { operation: "delete", id });
    }
  }

  override async restore(id: SecretId): Promise<void> {
    if (this.#delete.force) return super.restore(id);
    assertSecretId(id);
    const secret = await this.#describe(id, "restore");
    if (!secret.DeletedDate) {
      throw new SecretNotFoundError(`Secret ${id} is not deleted; there is nothing to restore.`, {
        hint: "Only a deleted secret can be restored.",
        details: { id },
      });
    }
    try {
      await this.#send("RestoreSecret", new RestoreSecretCommand({ SecretId: secret.ARN }));
    } catch (error) {
      throw toStoreError(error, { operation: "restore", id });
    }
  }

  async health(): Promise<HealthReport> {
    return probeHealth(async () => {
      await this.init();
      const { region, endpoint } = this.#options;
      return `Secrets Manager in ${region}${endpoint ? ` at ${endpoint}` : ""}`;
    }, "Secrets Manager could not be checked.");
  }

  async close(): Promise<void> {
    this.#client?.destroy();
    this.#client = undefined;
    this.#verified.clear();
  }

  // --- internals -------------------------------------------------------------------------------

  #clientConfig(): SecretsManagerClientConfig {
    const { region, endpoint, accessKeyId, secretAccessKey, sessionToken, maxAttempts, timeoutMs } =
      this.#options;
    return {
      region,
      maxAttempts,
      ...(endpoint !== undefined && { endpoint }),
      // Static keys when given; otherwise the SDK's default chain (environment, shared profile,
      // web identity, ECS and EC2 roles), which the operator chose by leaving them out.
      ...(accessKeyId !== undefined &&
        secretAccessKey !== undefined && {
          credentials: {
            accessKeyId,
            secretAccessKey,
            ...(sessionToken !== undefined && { sessionToken }),
          },
        }),
      requestHandler: { requestTimeout: timeoutMs, connectionTimeout: Math.min(timeoutMs, 10_000) },
      // The SDK's logger would print request and response metadata; Coffer logs on its own terms.
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    };
  }

  #clientOrNew(): SecretsManagerClient {
    this.#client ??= new SecretsManagerClient(this.#clientConfig());
    return this.#client;
  }

  async #send<O extends AwsOperation>(operation: O, command: Command): Promise<Outputs[O]> {
    this.calls[operation]++;
    // biome-ignore lint/suspicious/noExplicitAny: the SDK's send is overloaded per command type.
    return (await this.#clientOrNew().send(command as any)) as Outputs[O];
  }

  #deleteInput() {
    return this.#delete.force
      ? { ForceDeleteWithoutRecovery: true }
      : { RecoveryWindowInDays: this.#delete.recoveryWindowDays };
  }

  /** DescribeSecret by name; a secret that is missing or not ours is SecretNotFoundError. */
  async #describe(id: SecretId, operation: string): Promise<DescribeSecretCommandOutput & { ARN: string }> {
    let secret: DescribeSecretCommandOutput;
    try {
      secret = await this.#send(
        "DescribeSecret",
        new DescribeSecretCommand({ SecretId: this.#naming.name(id) }),
      );
    } catch (error) {
      throw toStoreError(error, { operation, id });
    }
    if (secret.ARN === undefined || !this.#naming.owns(id, secret.Tags)) throw notOurs(id);
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

  async #isOwned(id: SecretId, arn: string | undefined): Promise<boolean> {
    if (arn === undefined) return false;
    if (this.#verified.has(arn)) return true;
    let secret: DescribeSecretCommandOutput;
    try {
      secret = await this.#send("DescribeSecret", new DescribeSecretCommand({ SecretId: arn }));
    } catch (error) {
      // Deleted between the read and this lookup: it is gone, not foreign.
      if (errorCode(error) === "ResourceNotFoundException") return false;
      throw toStoreError(error, { operation: "read", id });
    }
    if (!this.#naming.owns(id, secret.Tags)) {
      this.#context.logger.warn("A secret under Coffer's name carries other ownership tags; ignoring it.", {
        id,
        name: this.#naming.name(id),
      });
      return false;
    }
    this.#verified.add(arn);
    return true;
  }

  async #assertOwned(id: SecretId, arn: string | undefined): Promise<void> {
    if (!(await this.#isOwned(id, arn))) throw notOurs(id);
  }

  /**
   * Create over a name scheduled for deletion. If it is ours, RestoreSecret then PutSecretValue
   * (the restored secret keeps its ARN, tags and KMS key; its history keeps the old values as
   * earlier versions). Restoring is deterministic where "force delete, then create" is not:
   * Secrets Manager finishes a forced delete asynchronously and refuses the name until then.
   */
  async #recreate(id: SecretId, secretString: string, original: unknown): Promise<void> {
    let secret: DescribeSecretCommandOutput;
    try {
      secret = await this.#send(
        "DescribeSecret",
        new DescribeSecretCommand({ SecretId: this.#naming.name(id) }),
      );
    } catch (error) {
      // The pending deletion completed in between: the name is free now.
      if (errorCode(error) === "ResourceNotFoundException") return this.create(id, JSON.parse(secretString));
      throw toStoreError(error, { operation: "create", id });
    }
    if (!secret.DeletedDate) {
      if (!this.#naming.owns(id, secret.Tags)) throw exists(id);
      throw toStoreError(original, { operation: "create", id });
    }
    if (!this.#naming.owns(id, secret.Tags)) throw exists(id);
    try {
      await this.#send("RestoreSecret", new RestoreSecretCommand({ SecretId: secret.ARN }));
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
      await this.#send(
        "PutSecretValue",
        new PutSecretValueCommand({ SecretId: secret.ARN, SecretString: secretString }),
      );
    } catch (error) {
      // Put the deletion back, so that a failed create does not revive the old values.
      await this.#send(
        "DeleteSecret",
        new DeleteSecretCommand({ SecretId: secret.ARN, ...this.#deleteInput() }),
      ).catch(() =>
        this.#context.logger.warn("Could not delete again a secret restored for a failed create.", { id }),
      );
      throw toStoreError(error, { operation: "create", id });
    }
    this.#verified.add(secret.ARN);
  }
}

function parseValues(id: SecretId, text: string | undefined): SecretValues {
  let parsed: unknown;
  try {
    parsed = text === undefined ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const valid =
    parsed !== null &&
    typeof parsed === "object" &&
    !Array.isArray(parsed) &&
    Object.values(parsed as object).every((value) => typeof value === "string");
  if (!valid) {
    throw new IntegrityError(`Secret ${id} in Secrets Manager does not hold a JSON map of string values.`, {
      hint: "Something other than Coffer wrote this secret's value; restore it from a backup or write it again with Coffer.",
      details: { id },
    });
  }
  return parsed as SecretValues;
}

function exists(id: SecretId): SecretExistsError {
  return new SecretExistsError(`Secrets Manager already holds a secret under the name for ${id}.`, {
    hint: "Use update to change it, or delete it first.",
    details: { id },
  });
}

function notOurs(id: SecretId): SecretNotFoundError {
  return new SecretNotFoundError(`Secrets Manager holds no secret ${id} of this deployment.`, {
    hint: "Check the id; the secret may have been deleted.",
    details: { id },
  });
}

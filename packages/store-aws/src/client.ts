/**
 * The Secrets Manager client the store talks through: built on first use from the options (never
 * the SDK's logger, never a default credential chain the operator did not choose), and counting
 * every request per operation (`calls`, the stores' test and metrics hook).
 */
import {
  type BatchGetSecretValueCommand,
  type BatchGetSecretValueCommandOutput,
  type CreateSecretCommand,
  type CreateSecretCommandOutput,
  type DeleteSecretCommand,
  type DeleteSecretCommandOutput,
  type DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  type GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  type PutSecretValueCommand,
  type PutSecretValueCommandOutput,
  type RestoreSecretCommand,
  type RestoreSecretCommandOutput,
  SecretsManagerClient,
  type SecretsManagerClientConfig,
} from "@aws-sdk/client-secrets-manager";
import type { ParsedAwsStoreOptions } from "./options.js";

/** SecretString's limit: 65,536 bytes (CreateSecret, API reference; Secrets Manager quotas). */
export const MAX_SECRET_STRING_BYTES = 65_536;

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

export type AwsCommand =
  | CreateSecretCommand
  | GetSecretValueCommand
  | BatchGetSecretValueCommand
  | PutSecretValueCommand
  | DescribeSecretCommand
  | DeleteSecretCommand
  | RestoreSecretCommand;

export class SecretsManagerCalls {
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
  #client: SecretsManagerClient | undefined;

  constructor(readonly options: ParsedAwsStoreOptions) {}

  async send<O extends AwsOperation>(operation: O, command: AwsCommand): Promise<Outputs[O]> {
    this.calls[operation]++;
    this.#client ??= new SecretsManagerClient(clientConfig(this.options));
    // biome-ignore lint/suspicious/noExplicitAny: the SDK's send is overloaded per command type.
    return (await this.#client.send(command as any)) as Outputs[O];
  }

  close(): void {
    this.#client?.destroy();
    this.#client = undefined;
  }
}

function clientConfig(options: ParsedAwsStoreOptions): SecretsManagerClientConfig {
  const { region, endpoint, accessKeyId, secretAccessKey, sessionToken, maxAttempts, timeoutMs } = options;
  return {
    region,
    maxAttempts,
    ...(endpoint !== undefined && { endpoint }),
    // Static keys when given; otherwise the SDK's default chain (environment, shared profile,
    // web identity, ECS and EC2 roles), which the operator chose by leaving them out.
    ...(accessKeyId !== undefined &&
      secretAccessKey !== undefined && {
        credentials: { accessKeyId, secretAccessKey, ...(sessionToken !== undefined && { sessionToken }) },
      }),
    requestHandler: { requestTimeout: timeoutMs, connectionTimeout: Math.min(timeoutMs, 10_000) },
    // The SDK's logger would print request and response metadata; Coffer logs on its own terms.
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  };
}

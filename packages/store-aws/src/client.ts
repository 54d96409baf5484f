/**
 * The Secrets Manager client the store talks through: built on first use from the options (never
 * the SDK's logger, never a default credential chain the operator did not choose), and counting
 * every request per operation (`calls`, the stores' test and metrics hook).
 */
import {
  type $Command,
  SecretsManagerClient,
  type SecretsManagerClientConfig,
  type ServiceOutputTypes,
} from "@aws-sdk/client-secrets-manager";
import type { ParsedAwsStoreOptions } from "./options.js";

/** SecretString's limit: 65,536 bytes (CreateSecret, API reference; Secrets Manager quotas). */
export const MAX_SECRET_STRING_BYTES = 65_536;

/** The Secrets Manager operations the store calls; `calls` counts them (a test and metrics hook). */
const OPERATIONS = [
  "CreateSecret",
  "GetSecretValue",
  "BatchGetSecretValue",
  "PutSecretValue",
  "DescribeSecret",
  "DeleteSecret",
  "RestoreSecret",
  "UpdateSecretVersionStage",
] as const;
export type AwsOperation = (typeof OPERATIONS)[number];

/** A command of this client that answers `O`. */
// biome-ignore lint/suspicious/noExplicitAny: only the output type matters to the caller.
type AwsCommand<O extends ServiceOutputTypes> = $Command<any, O, any, any, any>;

export class SecretsManagerCalls {
  /** Requests sent so far, per operation. */
  readonly calls = Object.fromEntries(OPERATIONS.map((operation) => [operation, 0])) as Record<
    AwsOperation,
    number
  >;
  #client: SecretsManagerClient | undefined;

  constructor(readonly options: ParsedAwsStoreOptions) {}

  async send<O extends ServiceOutputTypes>(operation: AwsOperation, command: AwsCommand<O>): Promise<O> {
    this.calls[operation]++;
    this.#client ??= new SecretsManagerClient(clientConfig(this.options));
    // biome-ignore lint/suspicious/noExplicitAny: the SDK's send is overloaded per command type.
    return (await this.#client.send(command as any)) as O;
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

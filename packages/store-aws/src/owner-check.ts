/**
 * Whether the secret behind an ARN is this deployment's, for reads (which do not return tags): an
 * ARN already verified (VerifiedArns) costs nothing, any other costs one DescribeSecret by ARN.
 */
import { DescribeSecretCommand } from "@aws-sdk/client-secrets-manager";
import type { Logger, SecretId } from "@coffer/core";
import type { SecretsManagerCalls } from "./client.js";
import { isMissing, lookup } from "./errors.js";
import type { SecretNaming, VerifiedArns } from "./naming.js";

export class OwnerCheck {
  constructor(
    private readonly api: SecretsManagerCalls,
    private readonly naming: SecretNaming,
    private readonly verified: VerifiedArns,
    private readonly logger: Logger,
  ) {}

  async isOwned(id: SecretId, arn: string | undefined): Promise<boolean> {
    if (arn === undefined) return false;
    if (this.verified.has(arn)) return true;
    const secret = await lookup(
      { operation: "read", id },
      () => this.api.send("DescribeSecret", new DescribeSecretCommand({ SecretId: arn })),
      isMissing,
    );
    // Deleted between the read and this lookup: it is gone, not foreign.
    if (secret === undefined) return false;
    if (!this.naming.owns(id, secret.Tags)) {
      this.logger.warn("A secret under Coffer's name carries other ownership tags; ignoring it.", {
        id,
        name: this.naming.name(id),
      });
      return false;
    }
    this.verified.add(arn);
    return true;
  }
}

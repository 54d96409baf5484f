/**
 * The base of every cloud store: AbstractSecretsStore (NotSupportedError for what a backend lacks,
 * the size and access checks) plus the shell every backend shares. A store supplies `probe` (reach
 * the backend without touching a secret: a name under its prefix that never exists proves address,
 * credentials and permissions at once) and `describe` (what health() reports); the kit makes init()
 * and health() from them, so they behave alike on every backend.
 */
import {
  AbstractSecretsStore,
  assertSecretId,
  type HealthReport,
  probeHealth,
  type SecretId,
  type SecretValues,
  type StoreCapabilities,
} from "@coffer/core";

/**
 * The capabilities of a plain key-value backend (read-write, one id per read call, no versions, no
 * check-and-set, no soft delete), with what the backend does beyond that.
 */
export function backendCapabilities(
  declared: Pick<StoreCapabilities, "maxValueBytes"> & Partial<StoreCapabilities>,
): StoreCapabilities {
  return {
    access: "read-write",
    batchGetMax: 1,
    versions: false,
    cas: false,
    softDelete: false,
    ...declared,
  };
}

export abstract class BackendStore extends AbstractSecretsStore {
  protected override readonly getManyConcurrency: number;

  /** `getManyConcurrency`: reads one getMany keeps in flight (a store's `concurrency` option). */
  constructor(getManyConcurrency = 8) {
    super();
    this.getManyConcurrency = getManyConcurrency;
  }

  /** Reaches the backend; throws the typed error that says why it cannot. */
  protected abstract probe(): Promise<void>;
  /** One line for a healthy backend, e.g. "Key Vault https://example.vault.azure.net". */
  protected abstract describe(): string;

  async init(): Promise<void> {
    await this.probe();
  }

  /** Never throws: a failed probe is status "error" with the typed error's code, message and hint. */
  async health(): Promise<HealthReport> {
    return probeHealth(
      async () => {
        await this.probe();
        return this.describe();
      },
      `The '${this.type}' store could not be checked.`,
      { withHint: true },
    );
  }

  /** What every write checks first: a valid id and values within the store's size limit. */
  protected assertWrite(id: SecretId, values: SecretValues): void {
    assertSecretId(id);
    this.assertWithinLimit(id, values);
  }
}

/**
 * A primary store with a backup store behind it (COFFER_BACKUP_STORE_*): every write goes to both,
 * reads fall back to the backup when the primary cannot answer, and a secret the primary lost is
 * copied back to it from the backup the next time it is read. This is also how values move from
 * one backend to another: configure the new one as the backup, copy everything
 * (`SecretsService.copyAllValues("to-backup")`), then make it the primary.
 *
 * The primary decides success: a write the backup misses is logged and repaired by the next copy,
 * never reported as a failure of a write the primary took.
 *
 * Earlier revisions (history) come from the primary alone: `versions` is the primary's, and
 * currentRevision / getRevision ask it without falling back (the backup's revisions count its own
 * writes, and a secret healed from the backup starts its history again in the primary).
 */
import {
  AbstractSecretsStore,
  type HealthReport,
  type Logger,
  type SecretId,
  type SecretsStore,
  type SecretValues,
  type StoreCapabilities,
} from "@coffer/core";

export class MirroredStore extends AbstractSecretsStore {
  readonly type: string;

  constructor(
    readonly primary: SecretsStore,
    readonly backup: SecretsStore,
    private readonly logger: Logger,
  ) {
    super();
    this.type = primary.type;
  }

  capabilities(): StoreCapabilities {
    const primary = this.primary.capabilities();
    const backup = this.backup.capabilities();
    // A secret must fit both; the optional capabilities are not promised across two backends.
    return {
      access: "read-write",
      maxValueBytes: Math.min(primary.maxValueBytes, backup.maxValueBytes),
      batchGetMax: primary.batchGetMax,
      versions: primary.versions,
      cas: false,
      softDelete: false,
    };
  }

  override async currentRevision(id: SecretId): Promise<number> {
    if (!this.primary.capabilities().versions) return super.currentRevision(id);
    return this.primary.currentRevision(id);
  }

  override async getRevision(id: SecretId, revision: number): Promise<SecretValues> {
    if (!this.primary.capabilities().versions) return super.getRevision(id, revision);
    return this.primary.getRevision(id, revision);
  }

  async init(): Promise<void> {
    await this.primary.init();
    await this.backup.init();
  }

  async create(id: SecretId, values: SecretValues): Promise<void> {
    this.assertWithinLimit(id, values);
    await this.primary.create(id, values);
    await this.#mirror("create", id, () => upsert(this.backup, id, values));
  }

  async get(id: SecretId): Promise<SecretValues> {
    try {
      return await this.primary.get(id);
    } catch (error) {
      if (codeOf(error) !== NOT_FOUND && codeOf(error) !== UNAVAILABLE) throw error;
      const values = await this.backup.get(id).catch(() => {
        throw error;
      });
      if (codeOf(error) === NOT_FOUND) await this.#heal(id, values);
      return values;
    }
  }

  override async getMany(ids: readonly SecretId[]): Promise<Map<SecretId, SecretValues>> {
    let found: Map<SecretId, SecretValues>;
    try {
      found = await this.primary.getMany(ids);
    } catch (error) {
      if (codeOf(error) !== UNAVAILABLE) throw error;
      return this.backup.getMany(ids);
    }
    const missing = [...new Set(ids)].filter((id) => !found.has(id));
    if (missing.length === 0) return found;
    const fromBackup = await this.backup.getMany(missing).catch(() => new Map<SecretId, SecretValues>());
    for (const [id, values] of fromBackup) await this.#heal(id, values);
    // Keep the caller's order.
    const ordered = new Map<SecretId, SecretValues>();
    for (const id of new Set(ids)) {
      const values = found.get(id) ?? fromBackup.get(id);
      if (values) ordered.set(id, values);
    }
    return ordered;
  }

  async update(id: SecretId, values: SecretValues): Promise<void> {
    this.assertWithinLimit(id, values);
    await this.primary.update(id, values);
    await this.#mirror("update", id, () => upsert(this.backup, id, values));
  }

  async delete(id: SecretId): Promise<void> {
    let missing = false;
    try {
      await this.primary.delete(id);
    } catch (error) {
      if (codeOf(error) !== NOT_FOUND) throw error;
      missing = true;
    }
    try {
      await this.backup.delete(id);
    } catch (error) {
      if (codeOf(error) === NOT_FOUND) {
        if (missing) throw error;
      } else {
        this.logger.warn("backup store missed a delete; the next copy repairs it", {
          secretId: id,
          code: codeOf(error),
        });
      }
    }
  }

  async health(): Promise<HealthReport> {
    const [primary, backup] = await Promise.all([this.primary.health(), this.backup.health()]);
    return {
      ...primary,
      message: `${primary.message ?? this.primary.type}; backup ${this.backup.type}: ${backup.status}`,
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.primary.close(), this.backup.close()]);
  }

  async #mirror(operation: string, id: SecretId, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      this.logger.warn(`backup store missed a ${operation}; the next copy repairs it`, {
        secretId: id,
        code: codeOf(error),
      });
    }
  }

  /** The primary lost a secret the backup still has: put it back. */
  async #heal(id: SecretId, values: SecretValues): Promise<void> {
    try {
      await upsert(this.primary, id, values);
      this.logger.warn("restored a secret's values to the primary store from the backup", { secretId: id });
    } catch (error) {
      this.logger.warn("could not restore a secret's values to the primary store", {
        secretId: id,
        code: codeOf(error),
      });
    }
  }
}

/**
 * Writes values whether or not the store already holds the id. By error code, not class: a store
 * loaded from node_modules by the bundled CLI throws its own copy of @coffer/core's classes.
 */
export async function upsert(store: SecretsStore, id: SecretId, values: SecretValues): Promise<void> {
  try {
    await store.update(id, values);
  } catch (error) {
    if (codeOf(error) !== "NOT_FOUND") throw error;
    try {
      await store.create(id, values);
    } catch (raced) {
      if (codeOf(raced) !== "ALREADY_EXISTS") throw raced;
      await store.update(id, values);
    }
  }
}

// Errors are told apart by their code, not instanceof: a store loaded from another copy of
// @coffer/core (a cloud store beside the CLI's bundle) throws that copy's classes.
const NOT_FOUND = "NOT_FOUND";
const UNAVAILABLE = "BACKEND_UNAVAILABLE";

function codeOf(error: unknown): string {
  return (error as { code?: string })?.code ?? "UNKNOWN";
}

/**
 * Each secret call as the audit log sees it: which action it is, which target it names, and
 * which recording order it follows (audit-recorder.ts) — around the module that does the work:
 * lookup.ts and history.ts for reads, writes.ts for writes, references.ts for resolving. The
 * SecretsService facade hands its secret calls here after checking nothing itself.
 */
import { currentAuditContext } from "@coffer/audit";
import type {
  Actor,
  CreateSecretInput,
  ReadOptions,
  Secret,
  SecretHistory,
  SecretMetadata,
  SecretRef,
  SecretValidationLevel,
  UpdateSecretInput,
  WriteOptions,
} from "@coffer/core";
import { findReferences } from "@coffer/core";
import { refTarget, type SecretAudit, updateAction, updateTarget, written } from "./audit-recorder.js";
import { parseVersion, type SecretHistoryReader } from "./history.js";
import { parseExpectedVersion } from "./input-checks.js";
import { findSecretToRead } from "./lookup.js";
import { type MetadataRepository, rowToMetadata } from "./metadata.js";
import type { ReferenceResolver } from "./references.js";
import { normalizeUpdate } from "./update-input.js";
import { replaceWith, type SecretWriter } from "./writes.js";

export class SecretActions {
  constructor(
    private readonly metadata: MetadataRepository,
    private readonly writer: SecretWriter,
    private readonly history: SecretHistoryReader,
    private readonly references: ReferenceResolver,
    private readonly audit: SecretAudit,
  ) {}

  async get(actor: Actor, ref: SecretRef, options: ReadOptions = {}): Promise<Secret> {
    const version = options?.version === undefined ? undefined : parseVersion(options.version);
    const action =
      version === undefined ? (currentAuditContext()?.readAs ?? "secret.read") : "secret.read-version";
    return this.audit.read(
      actor,
      action,
      refTarget(ref),
      () => this.history.read(actor, ref, version),
      (secret) => ({ secretId: secret.id, name: secret.name, version: secret.version }),
    );
  }

  /** Metadata only (no store call): audited when it fails as a denial. */
  async getMetadata(actor: Actor, ref: SecretRef): Promise<SecretMetadata> {
    return this.audit.denialOnly(actor, refTarget(ref), async () =>
      rowToMetadata(await findSecretToRead(this.metadata, actor, ref)),
    );
  }

  async create(actor: Actor, input: CreateSecretInput): Promise<Secret> {
    const target = { name: typeof input?.name === "string" ? input.name.slice(0, 255) : "" };
    return this.audit.write(
      actor,
      "secret.create",
      target,
      () => this.writer.create(actor, input),
      (secret) => ({ secretId: secret.id, version: secret.version }),
    );
  }

  async update(
    actor: Actor,
    ref: SecretRef,
    input: UpdateSecretInput,
    options: WriteOptions = {},
  ): Promise<SecretMetadata> {
    const change = normalizeUpdate(input);
    const expected = parseExpectedVersion(options.expectedVersion);
    return this.audit.write(
      actor,
      updateAction(input),
      { ...refTarget(ref), ...updateTarget(input) },
      () => this.writer.update(actor, ref, change, expected),
      written,
    );
  }

  async put(
    actor: Actor,
    name: string,
    values: Record<string, string>,
    options: WriteOptions & { private?: boolean } = {},
  ): Promise<SecretMetadata> {
    const expected = parseExpectedVersion(options.expectedVersion);
    return this.audit.write(
      actor,
      "secret.update",
      refTarget({ name }),
      () => this.writer.put(actor, name, values, expected, options.private ?? false),
      written,
    );
  }

  async delete(actor: Actor, ref: SecretRef, options: WriteOptions = {}): Promise<void> {
    const expected = parseExpectedVersion(options.expectedVersion);
    return this.audit.write(actor, "secret.delete", refTarget(ref), () =>
      this.writer.delete(actor, ref, expected),
    );
  }

  async listHistory(actor: Actor, ref: SecretRef): Promise<SecretHistory> {
    // Metadata only (no values): audited like getMetadata, as a denial when it is one.
    return this.audit.denialOnly(actor, refTarget(ref), () => this.history.list(actor, ref));
  }

  async rollback(
    actor: Actor,
    ref: SecretRef,
    toVersion: number,
    options: WriteOptions = {},
  ): Promise<SecretMetadata> {
    const expected = parseExpectedVersion(options.expectedVersion);
    const version = parseVersion(toVersion);
    return this.audit.write(
      actor,
      "secret.rollback",
      { ...refTarget(ref), version },
      async () => {
        const old = await this.history.read(actor, ref, version);
        const note = { action: "rollback" as const, rolledBackTo: old.version };
        return this.writer.update(actor, { id: old.id }, replaceWith(old.values), expected, note);
      },
      written,
    );
  }

  async resolveReferences<T>(actor: Actor, config: T, level: SecretValidationLevel): Promise<T> {
    // Of the document only the names it touched: never keys' values, never the rest of it.
    const names = [...new Set(findReferences(config).map((each) => each.reference.name))].sort();
    return this.audit.read(actor, "secret.resolve", { names }, () =>
      this.references.resolve(actor, config, level),
    );
  }
}

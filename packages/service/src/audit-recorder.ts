/**
 * Recording secret actions in the audit trail (@coffer/audit), in the order that keeps "no audit,
 * no access":
 * - reads: the values are read, the record is written, and only then are the values returned —
 *   a required sink that fails turns the read into AuditUnavailableError, values unseen;
 * - writes: a `started` record is written before the write begins — a required sink that fails
 *   refuses the write with nothing written — and the outcome record after it (a failure to write
 *   that one is logged: the write has happened and its start is on record);
 * - failures: recorded with their error code; a not-found that hides someone else's private
 *   secret, and a permission refusal, are marked `denied` (the caller still gets the 404).
 *
 * The actor's name and token, the origin and the request id come from the request's audit context
 * (the server and the CLI open one); without one the caller is an SDK user.
 */
import {
  type AuditAction,
  type AuditEvent,
  type AuditTarget,
  type AuditTrail,
  currentAuditContext,
  SDK_ORIGIN,
} from "@coffer/audit";
import {
  type Actor,
  isCofferError,
  type Logger,
  type SecretMetadata,
  type SecretRef,
  type UpdateSecretInput,
} from "@coffer/core";
import type { MetadataRepository } from "./metadata.js";

export class SecretAudit {
  readonly #pending = new Set<Promise<void>>();
  constructor(
    readonly trail: AuditTrail | undefined,
    private readonly metadata: MetadataRepository,
    private readonly logger: Logger,
  ) {}

  /** A read of values: recorded before they are handed out. */
  async read<T>(
    actor: Actor,
    action: AuditAction,
    target: AuditTarget,
    work: () => Promise<T>,
    outcomeTarget: (result: T) => AuditTarget = () => target,
  ): Promise<T> {
    if (!this.trail?.enabled) return work();
    let result: T;
    try {
      result = await work();
    } catch (error) {
      this.#failed(actor, action, target, error);
      throw error;
    }
    await this.trail.record(this.#event(actor, action, { ...target, ...outcomeTarget(result) }, "ok"));
    return result;
  }

  /**
   * A write: its start recorded before anything is written, its outcome after. `outcomeOf` names
   * the outcome of a run that returns rather than throws yet did not do all it should (a migration
   * with failed items); by default a return is `ok`.
   */
  async write<T>(
    actor: Actor,
    action: AuditAction,
    target: AuditTarget,
    work: () => Promise<T>,
    outcomeTarget: (result: T) => AuditTarget = () => target,
    outcomeOf: (result: T) => string = () => "ok",
  ): Promise<T> {
    if (!this.trail?.enabled) return work();
    await this.trail.record(this.#event(actor, action, target, "started"));
    let result: T;
    try {
      result = await work();
    } catch (error) {
      this.#failed(actor, action, target, error);
      throw error;
    }
    const outcome = outcomeOf(result);
    await this.#afterTheFact(this.#event(actor, action, { ...target, ...outcomeTarget(result) }, outcome));
    return result;
  }

  /** A failure of a call that is not audited when it succeeds: recorded only when it is a denial. */
  async denialOnly<T>(actor: Actor, target: AuditTarget, work: () => Promise<T>): Promise<T> {
    if (!this.trail?.enabled) return work();
    try {
      return await work();
    } catch (error) {
      this.#failed(actor, undefined, target, error);
      throw error;
    }
  }

  /**
   * Records a failure without holding up the caller, whose answer (the error) is already decided:
   * the record joins the trail's queue in order; one that cannot be written is logged. Without an
   * action (a call not audited when it succeeds) only a denial is recorded, as `access.denied`.
   * The context is read now, while the request's is current.
   */
  #failed(actor: Actor, action: AuditAction | undefined, target: AuditTarget, error: unknown): void {
    const base = this.#event(actor, action ?? "access.denied", target, codeOf(error));
    const recording = (async () => {
      const denied = await this.#isDenial(actor, target, error);
      if (action === undefined && !denied) return;
      await this.#afterTheFact(denied ? { ...base, denied: true } : base);
    })();
    this.#pending.add(recording);
    void recording.finally(() => this.#pending.delete(recording));
  }

  /** Waits for failure records still being written (tests, and close). */
  async flush(): Promise<void> {
    await Promise.all([...this.#pending]);
    await this.trail?.flush();
  }

  /** A refusal, or a not-found that hides a private secret someone else owns. */
  async #isDenial(actor: Actor, target: AuditTarget, error: unknown): Promise<boolean> {
    const code = codeOf(error);
    if (code === "PERMISSION_DENIED" || code === "UNAUTHENTICATED") return true;
    if (code !== "NOT_FOUND") return false;
    return this.#hiddenFrom(actor, target).catch(() => false);
  }

  async #hiddenFrom(actor: Actor, target: AuditTarget): Promise<boolean> {
    const rows = await this.metadata.run((db) => {
      let query = db
        .selectFrom("coffer_secrets")
        .select(["id"])
        .where("private", "=", 1)
        .where("owner", "<>", actor.id);
      if (target.secretId !== undefined) query = query.where("id", "=", target.secretId);
      else if (target.name !== undefined) query = query.where("name", "=", target.name);
      else return Promise.resolve([]);
      return query.limit(1).execute();
    });
    return rows.length > 0;
  }

  /** A record whose failure must not undo or hide what already happened: logged instead. */
  async #afterTheFact(event: AuditEvent): Promise<void> {
    try {
      await this.trail?.record(event);
    } catch (error) {
      this.logger.error("audit record could not be written after the fact", {
        action: event.action,
        outcome: event.outcome,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }

  #event(actor: Actor, action: AuditAction, target: AuditTarget, outcome: string): AuditEvent {
    const context = currentAuditContext();
    const known = context?.actor?.id === actor.id ? context.actor : undefined;
    return {
      action,
      actor: { ...known, id: actor.id },
      origin: context?.origin ?? SDK_ORIGIN,
      target,
      outcome,
      ...(context?.requestId !== undefined ? { requestId: context.requestId } : {}),
    };
  }
}

/** What a SecretRef names, as an audit target (no values in a ref). */
export function refTarget(ref: SecretRef): AuditTarget {
  if (ref === null || typeof ref !== "object") return {};
  if ("id" in ref) return typeof ref.id === "string" ? { secretId: ref.id.slice(0, 255) } : {};
  return typeof ref.name === "string" ? { name: ref.name.slice(0, 255) } : {};
}

/** Which audited action an update is: a change of values first, then a rename, then visibility. */
export function updateAction(
  input: UpdateSecretInput,
): "secret.update" | "secret.rename" | "secret.visibility" {
  if (input?.values !== undefined || input?.removeKeys !== undefined) return "secret.update";
  if (input?.name !== undefined) return "secret.rename";
  return "secret.visibility";
}

/** An update's new name or visibility, as the audit target adds them (names cut at 255). */
export function updateTarget(input: UpdateSecretInput): { newName?: string; private?: boolean } {
  return {
    ...(typeof input?.name === "string" ? { newName: input.name.slice(0, 255) } : {}),
    ...(typeof input?.private === "boolean" ? { private: input.private } : {}),
  };
}

/** What a write's outcome record names: the secret and the version written. */
export function written(metadata: SecretMetadata): { secretId: string; name: string; version: number } {
  return { secretId: metadata.id, name: metadata.name, version: metadata.version };
}

/** Operations have no Actor parameter: the one the request's audit context names, or the operator. */
export function operator(): Actor {
  return { id: currentAuditContext()?.actor?.id ?? "operator" };
}

function codeOf(error: unknown): string {
  return isCofferError(error) ? error.code : "INTERNAL";
}

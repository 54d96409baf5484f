/**
 * The Coffer client: the SecretsSession API for one user, plus the operator calls (store info,
 * key rotation, reconcile) and Prefect-style `secret(name).get()` with local overrides.
 *
 *   const coffer = createClient();            // local mode: the embedded store, you as the user
 *   await coffer.create({ name: "db", values: { password: "…" } });
 *   const db = await coffer.get({ name: "db" });
 *   await coffer.close();
 *
 * The client opens nothing until the first call; `connect()` opens now (and so reports a
 * configuration problem now). Which transport it uses is transport-selection.ts's choice; local
 * mode's configuration and overrides are client-config.ts's.
 */
import type { Writable } from "node:stream";
import type { AuditFilter, AuditRecord, VerifyReport } from "@coffer/audit";
import type { ArchiveInput } from "@coffer/backup";
import {
  type CreateSecretInput,
  type ListQuery,
  NotSupportedError,
  type ReadOptions,
  type ReferenceProblem,
  type Secret,
  type SecretHistory,
  type SecretMetadata,
  SecretNotFoundError,
  type SecretPage,
  type SecretRef,
  type SecretsSession,
  type SecretValidationLevel,
  type UpdateSecretInput,
  type WriteOptions,
} from "@coffer/core";
import { followChanges } from "./cache-feed.js";
import { CachedReads, type ClientCache } from "./cached-reads.js";
import { ClientConfig } from "./client-config.js";
import type { ClientOptions, ResolvedValues } from "./client-options.js";
import { forgetMadeWithUrl, rememberMadeWithUrl } from "./clients-with-url.js";
import { localUser } from "./identity.js";
import { RemoteTransport } from "./remote-transport.js";
import { SecretHandle } from "./secret-handle.js";
import type {
  BackupRequest,
  BackupResult,
  ClientMode,
  DiffRequest,
  KeyRotationResult,
  ReconcileResult,
  RestoreReport,
  RestoreRequest,
  RotateKeyOptions,
  SecretDiff,
  StoreInfo,
  Transport,
} from "./transport.js";
import { selectTransport } from "./transport-selection.js";
import { matches, namesOf, type WatchEvent, type WatchFilter, type WatchOptions } from "./watch.js";

export type { ClientOptions, ResolvedValues } from "./client-options.js";

export function createClient(options: ClientOptions = {}): CofferClient {
  return new CofferClient(options);
}

export class CofferClient implements SecretsSession {
  readonly mode: ClientMode;
  /** Remote mode: the server's URL as given (normalised when it parses); undefined in local mode. */
  readonly server: string | undefined;
  readonly #options: ClientOptions;
  #madeWithUrl: WeakRef<CofferClient> | undefined;
  readonly #env: Record<string, string | undefined>;
  readonly #transport: Transport;
  #user: string | undefined;
  readonly #config: ClientConfig;
  /** The read cache and offline cache, when the options ask for them (cached-reads.ts). */
  readonly #reads: CachedReads | undefined;
  /** With `cache.followChanges`: stops the watch that keeps the cache coherent (cache-feed.ts). */
  #following: AbortController | undefined;

  constructor(options: ClientOptions = {}) {
    this.#options = options;
    this.#env = options.env ?? process.env;
    this.#config = new ClientConfig(options, this.#env);
    this.#transport = selectTransport(options, this.#env, {
      user: () => this.user,
      config: () => this.#config.load(),
    });
    this.mode = this.#transport.mode;
    this.server = this.#transport instanceof RemoteTransport ? this.#transport.server : undefined;
    if (options.url !== undefined && this.mode === "remote") {
      this.#madeWithUrl = rememberMadeWithUrl(this);
    }
    if (options.cache || options.offline) {
      const scope = this.#transport instanceof RemoteTransport ? this.#transport.cacheScope : undefined;
      this.#reads = new CachedReads(options, scope, options.logger);
    }
  }

  /** With the `cache` or `offline` option: the invalidation hook (a change feed calls it); else undefined. */
  get cache(): ClientCache | undefined {
    return this.#reads;
  }

  /** The user id this client acts as. */
  get user(): string {
    this.#user ??= localUser(this.#options.user, this.#env);
    return this.#user;
  }

  /** Opens the connection now: configuration and store problems surface here, not on first use. */
  async connect(): Promise<this> {
    await this.#transport.session();
    return this;
  }

  // --- SecretsSession ------------------------------------------------------------------------

  async create(input: CreateSecretInput): Promise<Secret> {
    return (await this.#session()).create(input);
  }

  /** With `version`, the values as they were then (`history` lists the versions). */
  async get(ref: SecretRef, options?: ReadOptions): Promise<Secret> {
    const reads = this.#reads;
    if (reads && options?.version === undefined) {
      if (this.#options.cache?.followChanges && !this.#following) {
        this.#following = followChanges(
          (filter, watchOptions) => this.watch(filter, watchOptions),
          reads,
          this.#options.logger,
        );
      }
      return reads.fresh(ref) ?? reads.read(ref, async () => (await this.#transport.session()).get(ref));
    }
    return (await this.#session()).get(ref, options);
  }

  async getMetadata(ref: SecretRef): Promise<SecretMetadata> {
    return (await this.#session()).getMetadata(ref);
  }

  async list(query?: ListQuery): Promise<SecretPage> {
    return (await this.#session()).list(query);
  }

  async update(ref: SecretRef, input: UpdateSecretInput, options?: WriteOptions): Promise<SecretMetadata> {
    return (await this.#session()).update(ref, input, options);
  }

  async rename(ref: SecretRef, newName: string, options?: WriteOptions): Promise<SecretMetadata> {
    return (await this.#session()).rename(ref, newName, options);
  }

  async setVisibility(ref: SecretRef, isPrivate: boolean, options?: WriteOptions): Promise<SecretMetadata> {
    return (await this.#session()).setVisibility(ref, isPrivate, options);
  }

  async put(
    name: string,
    values: Record<string, string>,
    options?: WriteOptions & { private?: boolean },
  ): Promise<SecretMetadata> {
    return (await this.#session()).put(name, values, options);
  }

  async delete(ref: SecretRef, options?: WriteOptions): Promise<void> {
    return (await this.#session()).delete(ref, options);
  }

  /** The secret's versions, newest first: who, when, which keys changed. Never values. */
  async history(ref: SecretRef): Promise<SecretHistory> {
    return (await this.#session()).history(ref);
  }

  /** Writes a new version with the values of `toVersion`; the history is kept. */
  async rollback(ref: SecretRef, toVersion: number, options?: WriteOptions): Promise<SecretMetadata> {
    return (await this.#session()).rollback(ref, toVersion, options);
  }

  async validateReferences(config: unknown, level?: SecretValidationLevel): Promise<ReferenceProblem[]> {
    return (await this.#session()).validateReferences(config, level);
  }

  async resolveReferences<T>(config: T, level?: SecretValidationLevel): Promise<T> {
    return (await this.#session()).resolveReferences(config, level);
  }

  // --- by-name shorthands (the names ZenML's Client uses) --------------------------------------

  createSecret(name: string, values: Record<string, string>, options: { private?: boolean } = {}) {
    return this.create({ name, values, ...options });
  }

  getSecret(nameOrRef: string | SecretRef, options: { private?: boolean } = {}): Promise<Secret> {
    return this.get(toRef(nameOrRef, options));
  }

  listSecrets(query?: ListQuery): Promise<SecretPage> {
    return this.list(query);
  }

  updateSecret(
    nameOrRef: string | SecretRef,
    input: UpdateSecretInput,
    options?: WriteOptions,
  ): Promise<SecretMetadata> {
    return this.update(toRef(nameOrRef), input, options);
  }

  deleteSecret(nameOrRef: string | SecretRef, options: { private?: boolean } & WriteOptions = {}) {
    const { private: isPrivate, ...write } = options;
    return this.delete(toRef(nameOrRef, { private: isPrivate }), write);
  }

  /** Every page of a listing, one item at a time. */
  async *listAll(query: Omit<ListQuery, "cursor"> = {}): AsyncGenerator<SecretMetadata> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...query, ...(cursor ? { cursor } : {}) });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /**
   * The changes of `filter` (a name, several, or every secret you may see) as they happen, from
   * now or after `options.since`: an async iterator that reconnects and resumes by itself; end it
   * with `break` or `options.signal`. Never values — read the secret again when it changed.
   */
  async *watch(filter?: WatchFilter, options: WatchOptions = {}): AsyncGenerator<WatchEvent> {
    const names = namesOf(filter);
    for await (const event of this.#transport.changes(names, options)) {
      if (matches(event, names)) yield event;
    }
  }

  // --- Prefect-style access with local overrides -----------------------------------------------

  /** A handle on the secret `name`: `.get()`, `.get(key)`, `.exists()`. */
  secret(name: string, options: { private?: boolean } = {}): SecretHandle {
    return new SecretHandle(this, name, options);
  }

  /**
   * The values of `name` as a program should use them: a local override (COFFER_LOCAL_SECRET_*,
   * then the `secrets:` section of the configuration file) if there is one, else the store's.
   */
  async resolveValues(name: string, options: { private?: boolean } = {}): Promise<ResolvedValues> {
    const local = await this.#config.findLocal(name);
    if (local) return { values: local.values, source: "local", origin: local.source };
    const secret = await this.get(toRef(name, options));
    return { values: secret.values, source: "store" };
  }

  /** Whether `name` exists locally (an override) or in the store. */
  async has(name: string, options: { private?: boolean } = {}): Promise<boolean> {
    if (await this.#config.findLocal(name)) return true;
    try {
      await this.getMetadata(toRef(name, options));
      return true;
    } catch (error) {
      if (error instanceof SecretNotFoundError) return false;
      throw error;
    }
  }

  // --- operations --------------------------------------------------------------------------------

  /** Which store, where, and whether it answers. */
  storeInfo(): Promise<StoreInfo> {
    return this.#transport.storeInfo();
  }

  /** Re-encrypts the store under a new key; NotSupportedError for stores without managed keys. */
  rotateKey(options?: RotateKeyOptions): Promise<KeyRotationResult> {
    return this.#transport.rotateKey(options);
  }

  /** Writes an encrypted archive of every secret (operators; admin on a server). */
  backup(output: Writable, request: BackupRequest): Promise<BackupResult> {
    return this.#transport.backup(output, request);
  }

  /** Restores an archive through the service; `open` is called once per pass over it. */
  restore(open: () => ArchiveInput, request: RestoreRequest): Promise<RestoreReport> {
    return this.#transport.restore(open, request);
  }

  /**
   * Compares an archive (side a) with the deployment (side b): names, keys, versions, and values
   * by keyed hash under a key made for this call — never the values (operators; admin on a server).
   */
  diffArchive(open: () => ArchiveInput, request: DiffRequest): Promise<SecretDiff> {
    return this.#transport.diffArchive(open, request);
  }

  /** Finishes writes that a crash or an outage left half-done. */
  reconcile(options?: { olderThanMs?: number }): Promise<ReconcileResult> {
    return this.#transport.reconcile(options);
  }

  /** Audit records, newest first, filtered (remote mode: admins and auditors). Never values. */
  auditRecords(filter: AuditFilter = {}): Promise<AuditRecord[]> {
    return this.#transport.auditRecords(filter);
  }

  /** Checks the audit log's hash chain and checkpoints; the report says what broke and where. */
  verifyAudit(): Promise<VerifyReport> {
    return this.#transport.verifyAudit();
  }

  /**
   * The server's user and token management (remote mode, admin role for most of it). In local
   * mode there is no server to manage: NotSupportedError.
   */
  admin(): RemoteTransport {
    if (!(this.#transport instanceof RemoteTransport)) {
      throw new NotSupportedError(
        "Users and tokens belong to a Coffer server, and this client works locally.",
        {
          hint: "Log in to a server first: coffer login --url https://coffer.example.com --token <token>.",
          details: { operation: "admin" },
        },
      );
    }
    return this.#transport;
  }

  async close(): Promise<void> {
    if (this.#madeWithUrl) forgetMadeWithUrl(this.#madeWithUrl);
    this.#following?.abort();
    await this.#reads?.flush().catch(() => undefined); // the offline file is a cache: losing a write loses nothing
    await this.#transport.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // --- internals ---------------------------------------------------------------------------------

  #session(): Promise<SecretsSession> {
    const session = this.#transport.session();
    const reads = this.#reads;
    return reads ? session.then((inner) => reads.wrap(inner)) : session;
  }
}

function toRef(nameOrRef: string | SecretRef, options: { private?: boolean | undefined } = {}): SecretRef {
  if (typeof nameOrRef !== "string") return nameOrRef;
  if (options.private !== undefined) {
    return { name: nameOrRef, private: options.private };
  }
  return { name: nameOrRef };
}

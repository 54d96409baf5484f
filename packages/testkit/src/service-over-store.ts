/**
 * A SecretsService over SQLite metadata (in a fresh temporary directory) and one store, as the
 * store packages' tests and benchmarks run it.
 *
 * `createService` comes from the caller (`import { createService } from "@coffer/service"`)
 * instead of being imported here: @coffer/service's own tests use this package, and a dependency
 * back on it would be a workspace cycle, which turbo refuses to order builds for.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type Actor,
  type Logger,
  type SecretsSession,
  type SecretsStore,
  type StoreContext,
  silentLogger,
} from "@coffer/core";

/** The parts of @coffer/service's `createService(parts)` this helper fills in. */
export interface ServiceFactoryParts {
  databaseUrl: string;
  dataDir: string;
  logger?: Logger;
  store: (context: StoreContext) => SecretsStore;
}

/** What this helper needs of the service it opens (a SecretsService has it). */
export interface ClosableService {
  as(actor: Actor): SecretsSession;
  close(): Promise<void>;
}

/**
 * The service, the store inside it and what `describeServiceConformance` drives (`session`,
 * `maxValueBytes`, `close`), so the result can be handed to its `open` as it is.
 */
export interface ServiceOverStore<Service, Store> {
  service: Service;
  /** The store the service built, for its counters and for looking behind the service's back. */
  store: Store;
  /** The temporary directory holding the metadata database; `close` removes it. */
  dir: string;
  session(userId: string): SecretsSession;
  /** The store's declared size limit. */
  maxValueBytes: number;
  /** Closes the service (and with it the store), then removes the directory. */
  close(): Promise<void>;
}

/**
 * Opens `createService` over SQLite metadata in a new temporary directory and the store `store`
 * builds from the service's context (its deployment id). `parts` adds or overrides service parts
 * (hooks, a clock, a logger). A silent logger unless `parts` gives one.
 */
export async function serviceOverStore<
  Parts extends ServiceFactoryParts,
  Service extends ClosableService,
  Store extends SecretsStore,
>(
  createService: (parts: Parts) => Promise<Service>,
  store: (context: StoreContext) => Store,
  parts: Partial<Omit<Parts, "store">> = {},
): Promise<ServiceOverStore<Service, Store>> {
  const dir = mkdtempSync(path.join(tmpdir(), "coffer-service-"));
  let built: Store | undefined;
  let service: Service;
  try {
    // What ServiceFactoryParts names is filled in; the rest of createService's parts are optional
    // (as @coffer/service's are) or given in `parts`.
    service = await createService({
      databaseUrl: `sqlite://${path.join(dir, "coffer.db")}`,
      dataDir: dir,
      logger: silentLogger,
      ...parts,
      store: (context: StoreContext) => {
        built = store(context);
        return built;
      },
    } as unknown as Parts);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  if (!built) throw new Error("createService did not build the store");
  const opened = built;
  return {
    service,
    store: opened,
    dir,
    session: (userId) => service.as({ id: userId }),
    maxValueBytes: opened.capabilities().maxValueBytes,
    async close() {
      try {
        await service.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

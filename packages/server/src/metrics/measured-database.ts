/**
 * Metadata database timing: a Kysely plugin that sees each query go in (transformQuery) and its
 * result come back (transformResult), and records the time between, by kind of statement
 * (select, insert, update, delete, raw…) — never the SQL, which holds names. The time includes
 * waiting for a pooled connection, which is what a slow request pays. A query that fails never
 * reaches transformResult, so failures are not in this histogram: they surface as the request's
 * status (coffer_http_requests_total) and in /ready.
 */
import type { Database } from "@coffer/sql";
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from "kysely";
import type { ServerMetrics } from "./registry.js";

class QueryTimingPlugin implements KyselyPlugin {
  // Keyed by Kysely's query id object, so a query that fails (and never comes back) is forgotten.
  readonly #started = new WeakMap<object, { at: number; statement: string }>();

  constructor(
    private readonly metrics: ServerMetrics,
    private readonly dialect: string,
  ) {}

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    this.#started.set(queryId, { at: performance.now(), statement: statementKind(node.kind) });
    return node;
  }

  async transformResult({ queryId, result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const started = this.#started.get(queryId);
    if (started) {
      this.#started.delete(queryId);
      this.metrics.databaseDuration.observe(
        { dialect: this.dialect, statement: started.statement },
        (performance.now() - started.at) / 1000,
      );
    }
    return result;
  }
}

/** "SelectQueryNode" → "select", "RawNode" → "raw", "CreateTableNode" → "createtable". */
export function statementKind(kind: string): string {
  return kind.replace(/(Query)?Node$/, "").toLowerCase();
}

/** The same database handle, its queries timed. Closing it releases the handle it wraps. */
export function measuredDatabase(database: Database, metrics: ServerMetrics): Database {
  return {
    db: database.db.withPlugin(new QueryTimingPlugin(metrics, database.dialect)),
    dialect: database.dialect,
    location: database.location,
    // PostgreSQL's LISTEN (the change feed's wake-up across replicas) goes through untimed.
    ...(database.listen ? { listen: database.listen } : {}),
    close: () => database.close(),
  };
}

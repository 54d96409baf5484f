/**
 * A child span per metadata query made during a request, `coffer.metadata.<statement>`
 * (select, insert, update, delete, raw…) with `db.system.name` (sqlite, postgresql, mysql) and
 * `db.operation.name` — never the SQL, its table names or its parameters. A Kysely plugin, as
 * the query timing of the metrics (metrics/measured-database.ts): it sees a query go in and
 * its result come back. A query that fails never comes back to a plugin, so its span is never
 * ended and never exported; the failure shows on the request's span (its status and
 * `error.type`) and in the metrics.
 */

import type { Database } from "@coffer/sql";
import type { Span, Tracer } from "@opentelemetry/api";
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from "kysely";
import { statementKind } from "../metrics/measured-database.js";
import { startChildSpan } from "./active-span.js";
import { ATTR_DB_OPERATION_NAME, ATTR_DB_SYSTEM_NAME } from "./attributes.js";

/** @coffer/sql's dialect names → OpenTelemetry's db.system.name values. */
const SYSTEM: Record<Database["dialect"], string> = {
  sqlite: "sqlite",
  postgres: "postgresql",
  mysql: "mysql",
};

class QuerySpanPlugin implements KyselyPlugin {
  // Keyed by Kysely's query id object, so a query that fails (and never comes back) is forgotten.
  readonly #open = new WeakMap<object, Span>();

  constructor(
    private readonly tracer: Tracer,
    private readonly system: string,
  ) {}

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    const statement = statementKind(node.kind);
    const child = startChildSpan(this.tracer, `coffer.metadata.${statement}`, {
      [ATTR_DB_SYSTEM_NAME]: this.system,
      [ATTR_DB_OPERATION_NAME]: statement,
    });
    if (child) this.#open.set(queryId, child.span);
    return node;
  }

  async transformResult({ queryId, result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const span = this.#open.get(queryId);
    if (span) {
      this.#open.delete(queryId);
      span.end();
    }
    return result;
  }
}

/** The same database handle, its queries traced. Closing it releases the handle it wraps. */
export function tracedDatabase(database: Database, tracer: Tracer): Database {
  return {
    db: database.db.withPlugin(new QuerySpanPlugin(tracer, SYSTEM[database.dialect] ?? database.dialect)),
    dialect: database.dialect,
    location: database.location,
    ...(database.listen ? { listen: database.listen } : {}),
    close: () => database.close(),
  };
}

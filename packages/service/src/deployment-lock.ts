/**
 * Operations that walk the whole deployment — reconcile and key rotation — run once at a time per
 * deployment, even with several server replicas on one database: each takes a database lock
 * (withAdvisoryLock in @coffer/sql: PostgreSQL advisory lock, MySQL GET_LOCK; SQLite needs none).
 * A second start while one runs does not wait behind it: it fails at once with a retryable
 * BackendUnavailableError whose `details.reason` is "ALREADY_RUNNING" (HTTP 503 with Retry-After),
 * the same on PostgreSQL and MySQL.
 */
import { BackendUnavailableError } from "@coffer/core";
import { type Database, withAdvisoryLock } from "@coffer/sql";

export type DeploymentOperation = "reconcile" | "rotate-key";

export async function runOncePerDeployment<T>(
  database: Database,
  deploymentId: string,
  operation: DeploymentOperation,
  task: () => Promise<T>,
): Promise<T> {
  // The deployment id keeps two deployments on one MySQL server (GET_LOCK is server-wide) apart.
  const ran = await withAdvisoryLock(database, `coffer:${operation}:${deploymentId}`.slice(0, 64), task);
  if (ran === undefined) throw alreadyRunning(operation);
  return ran.value;
}

export function alreadyRunning(operation: DeploymentOperation): BackendUnavailableError {
  return new BackendUnavailableError(
    `A ${operation === "reconcile" ? "reconcile" : "key rotation"} is already running on this deployment (perhaps on another replica).`,
    {
      hint: "Wait for it to finish, then run it again if still needed.",
      details: { reason: "ALREADY_RUNNING", operation },
    },
  );
}

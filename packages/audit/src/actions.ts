/**
 * Every action the audit log records, with what it covers. This list is the contract: the tests
 * derive "an audited action for every row" from it, so an action added here without a test that
 * produces it fails the suite.
 *
 * `secret.rollback` and `secret.read-version` are defined here for the history work (issue 15,
 * items 1–4): its service calls record them through the same helper as every other secret action.
 */
export const AUDIT_ACTIONS = {
  // Reads of values.
  "secret.read": "a secret read with its values (get)",
  "secret.read-version": "an older version of a secret read with its values",
  "secret.resolve": "references resolved to values (resolve, run, a configuration file)",
  "secret.export": "values exported (coffer export, backup copy out)",
  // Writes.
  "secret.create": "a secret created",
  "secret.update": "a secret's values changed",
  "secret.rename": "a secret renamed",
  "secret.visibility": "a secret made private or public",
  "secret.rollback": "a secret rolled back to an older version (a new version with its values)",
  "secret.delete": "a secret deleted",
  // Denials: a refused request, including a not-found that hides a private secret.
  "access.denied": "a request refused: no or bad token, a role it lacks, or a secret it may not see",
  // Identity.
  "auth.login": "a token used to sign in (who-am-i, enrollment)",
  "user.create": "a user created",
  "user.delete": "a user deleted",
  "user.role": "a user's role changed",
  "token.create": "a token made",
  "token.revoke": "a token revoked",
  // Operations.
  "store.rotate-key": "the store's encryption key rotated",
  "store.reconcile": "half-done writes repaired",
  "store.backup": "values copied to the backup store (the backup-store mirror, not an archive)",
  "store.restore": "values copied back from the backup store (the backup-store mirror, not an archive)",
  // The deployment as a whole: counts and outcome, never values.
  "deployment.backup":
    "every secret written to an encrypted archive (coffer backup, the admin backup endpoint)",
  "deployment.restore":
    "an archive restored, or checked with a dry run (coffer restore, the admin restore endpoint)",
  "deployment.migrate": "every value moved to another store (coffer migrate)",
  "deployment.diff":
    "the deployment compared with an archive or another deployment by keyed hash (coffer diff)",
  "audit.read": "audit records listed or verified",
  "audit.prune": "records older than the retention period removed (the record says where the log now starts)",
} as const;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export const AUDIT_ACTION_NAMES = Object.keys(AUDIT_ACTIONS) as AuditAction[];

export function isAuditAction(value: unknown): value is AuditAction {
  return typeof value === "string" && Object.hasOwn(AUDIT_ACTIONS, value);
}

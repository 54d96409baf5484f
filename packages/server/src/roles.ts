/**
 * Roles. The first four run from least to most trusted, each including everything the ones before
 * it may do; `auditor` stands apart: it reads metadata and the audit log, never a value.
 *
 * | role         | may                                                                      |
 * |--------------|--------------------------------------------------------------------------|
 * | reader       | list secrets, read metadata (names, keys, versions), validate references |
 * | value-reader | … and read values, resolve references                                    |
 * | writer       | … and create, update, rename, change visibility, delete                  |
 * | admin        | … and manage users and tokens, run reconcile, read the audit log         |
 * | auditor      | list secrets, read metadata, read the audit log (no values, no writes)   |
 *
 * Whatever the role, a private secret exists only for its owner, and an owner may always read the
 * values of their own secrets. So admins manage users and revoke tokens, but make working tokens
 * only for themselves: for others, only enrollment tokens (identity/tokens.ts).
 */
import { PermissionDeniedError } from "@coffer/core";

export const ROLES = ["reader", "value-reader", "writer", "admin", "auditor"] as const;
export type Role = (typeof ROLES)[number];

export type Permission = "read-metadata" | "read-values" | "write" | "admin" | "read-audit";

/** What each role may do, spelled out (the roles are not one ladder since `auditor`). */
const GRANTS: Record<Role, readonly Permission[]> = {
  reader: ["read-metadata"],
  "value-reader": ["read-metadata", "read-values"],
  writer: ["read-metadata", "read-values", "write"],
  admin: ["read-metadata", "read-values", "write", "admin", "read-audit"],
  auditor: ["read-metadata", "read-audit"],
};

/** The role a refusal's hint names as needed. */
const minimumRole: Record<Permission, string> = {
  "read-metadata": "reader",
  "read-values": "value-reader",
  write: "writer",
  admin: "admin",
  "read-audit": "auditor",
};

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

export function requirePermission(
  caller: { user: string; role: Role },
  permission: Permission,
  action: string,
): void {
  if (!can(caller.role, permission)) {
    throw new PermissionDeniedError(`User '${caller.user}' (role ${caller.role}) may not ${action}.`, {
      hint: `That needs the ${minimumRole[permission]} role or higher; ask an admin (coffer user set-role).`,
      details: { user: caller.user, role: caller.role, needs: minimumRole[permission] },
    });
  }
}

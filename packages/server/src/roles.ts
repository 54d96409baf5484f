/**
 * Roles, from least to most trusted. Each includes everything the ones before it may do.
 *
 * | role         | may                                                                      |
 * |--------------|--------------------------------------------------------------------------|
 * | reader       | list secrets, read metadata (names, keys, versions), validate references |
 * | value-reader | … and read values, resolve references                                    |
 * | writer       | … and create, update, rename, change visibility, delete                  |
 * | admin        | … and manage users and tokens, run reconcile                             |
 *
 * Whatever the role, a private secret exists only for its owner, and an owner may always read the
 * values of their own secrets. So admins manage users and revoke tokens, but make working tokens
 * only for themselves: for others, only enrollment tokens (identity/tokens.ts).
 */
import { PermissionDeniedError } from "@coffer/core";

export const ROLES = ["reader", "value-reader", "writer", "admin"] as const;
export type Role = (typeof ROLES)[number];

export type Permission = "read-metadata" | "read-values" | "write" | "admin";

const minimumRole: Record<Permission, Role> = {
  "read-metadata": "reader",
  "read-values": "value-reader",
  write: "writer",
  admin: "admin",
};

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimumRole[permission]);
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

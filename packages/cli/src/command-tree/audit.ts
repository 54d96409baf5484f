/**
 * `coffer audit list` and `coffer audit verify`, described as data (see spec.ts): reading the
 * audit log, locally or from a server (admins and auditors).
 */
import type { CommandSpec, GroupSpec } from "./spec.js";
import { parseCount } from "./spec.js";

export const AUDIT_GROUP: GroupSpec = { name: "audit", summary: "the audit log: who did what, when" };

const audit = () => import("../commands/audit.js");

export const AUDIT_COMMANDS: readonly CommandSpec[] = [
  {
    path: ["audit", "list"],
    summary: "list audit records, newest first (never values)",
    options: [
      { flags: "--actor <user>", description: "a user name or id" },
      { flags: "--secret <name>", description: "a secret name or id" },
      { flags: "--action <action>", description: "e.g. secret.read, secret.update, access.denied" },
      { flags: "--outcome <outcome>", description: "ok, started, or an error code such as NOT_FOUND" },
      { flags: "--since <time>", description: "ISO 8601, e.g. 2026-12-01 or 2026-12-01T08:00:00Z" },
      { flags: "--until <time>", description: "ISO 8601" },
      {
        flags: "--limit <n>",
        description: "at most this many (default 100, at most 1000)",
        parse: parseCount,
      },
    ],
    examples: [
      "coffer audit list --secret db --since 2026-12-01",
      "coffer audit list --action access.denied --json",
    ],
    handler: async () => (await audit()).list,
  },
  {
    path: ["audit", "verify"],
    summary: "check the audit log's hash chain: report edited, removed, inserted or reordered records",
    examples: ["coffer audit verify", "coffer audit verify --json"],
    handler: async () => (await audit()).verify,
  },
];

/**
 * Who and where: `coffer whoami`, `coffer status`, and the saved logins, `coffer context …`
 * (named like kubectl's contexts), described as data (see spec.ts). `login` and `logout` are in
 * server.ts; their handlers live with these (commands/account.ts).
 */
import { type CommandSpec, type GroupSpec, help } from "./spec.js";

const account = () => import("../commands/account.js");

export const ACCOUNT_COMMANDS: readonly CommandSpec[] = [
  {
    path: ["whoami"],
    summary: "who you are to Coffer: your user and role, and which server or local store",
    examples: ["coffer whoami", "COFFER_CONTEXT=staging coffer whoami --json"],
    handler: async () => (await account()).whoami,
  },
  {
    path: ["status"],
    summary: "whoami, plus the store in use and whether it answers",
    details: () => help`
      Remote mode: the context, the server, your user and role, and the server's store. Local mode:
      your local user, the store type and the data directory. Exits 7 when the store does not answer.`,
    examples: ["coffer status", "coffer status --json"],
    handler: async () => (await account()).status,
  },
];

export const CONTEXT_GROUP: GroupSpec = {
  name: "context",
  summary: "saved logins to Coffer servers (coffer login --context NAME)",
};

export const CONTEXT_COMMANDS: readonly CommandSpec[] = [
  {
    path: ["context", "list"],
    summary: "the saved contexts and their servers (never their tokens); * marks the one in use",
    examples: ["coffer context list", "coffer context list --json"],
    handler: async () => (await account()).contextList,
  },
  {
    path: ["context", "use"],
    summary: "make a saved context the current one; 'local' goes back to the local store",
    arguments: [{ name: "<name>", description: "a context (coffer context list), or local" }],
    details: () => help`
      COFFER_CONTEXT, when set, wins over the current context for the commands it is set for;
      COFFER_URL and COFFER_TOKEN win over both.`,
    examples: ["coffer context use staging", "coffer context use local"],
    handler: async () => (await account()).contextUse,
  },
  {
    path: ["context", "remove"],
    summary: "log out of a context: revoke its token on its server and forget it",
    arguments: [{ name: "<name>", description: "a context (coffer context list)" }],
    options: [
      {
        flags: "--no-revoke",
        description: "forget the token without revoking it (it keeps working until revoked)",
      },
    ],
    examples: ["coffer context remove staging"],
    handler: async () => (await account()).contextRemove,
  },
];

/**
 * The commands about a Coffer server, described as data (see spec.ts): `login`/`logout` (remote
 * mode), `server start`, and the server's users and tokens.
 */
import { type CommandSpec, type GroupSpec, help, parseCount, parseWholeNumber } from "./spec.js";

const server = () => import("../commands/server.js");
const account = () => import("../commands/account.js");

export const LOGIN_COMMANDS: readonly CommandSpec[] = [
  {
    path: ["login"],
    summary: "use a Coffer server from now on (remote mode); checks the token first",
    options: [
      {
        flags: "--url <url>",
        description: "the server, e.g. https://coffer.example.com:8700",
        required: true,
      },
      {
        flags: "--token <token>",
        description: "the API token (default: COFFER_TOKEN, else asked for, hidden)",
      },
      {
        flags: "--context <name>",
        description: "save the login under this name and make it current (default: default)",
      },
    ],
    details: () => help`
      The URL and token go to ~/.config/coffer/credentials.json (mode 0600), as a named context:
      log in to several servers with --context NAME and switch with coffer context use NAME (or
      COFFER_CONTEXT=NAME for one command). COFFER_URL and COFFER_TOKEN, when set, win over it.
      coffer logout revokes the token and goes back to the local store.`,
    examples: [
      "coffer login --url https://coffer.example.com:8700",
      "coffer login --url http://127.0.0.1:8700 --token coffer_…",
      "coffer login --context staging --url https://coffer.staging.example.com:8700",
    ],
    handler: async () => (await account()).login,
  },
  {
    path: ["logout"],
    summary: "revoke the token on its server and forget it: work on the local store again",
    options: [
      {
        flags: "--no-revoke",
        description: "forget the token without revoking it (it keeps working until revoked)",
      },
    ],
    details: () => help`
      Logs out of the context in use (COFFER_CONTEXT, else the current one; see coffer context
      list). When the server cannot be reached the token is kept and you stay logged in: run it
      again later, or pass --no-revoke.`,
    examples: ["coffer logout", "COFFER_CONTEXT=staging coffer logout"],
    handler: async () => (await account()).logout,
  },
];

export const SERVER_GROUP: GroupSpec = { name: "server", summary: "run a Coffer server" };

export const SERVER_COMMANDS: readonly CommandSpec[] = [
  {
    path: ["server", "start"],
    summary: "serve the REST API on this machine's configuration until Ctrl-C",
    options: [
      {
        flags: "--host <host>",
        description: "interface to listen on (default: COFFER_SERVER_HOST, else 127.0.0.1)",
      },
      {
        flags: "--port <port>",
        description: "port (default: COFFER_SERVER_PORT, else 8700)",
        parse: parseCount,
      },
    ],
    details: () => help`
      On the first start it creates the admin user and prints its token once. Every COFFER_* setting
      applies (docs/operators.md lists them); COFFER_DATABASE_URL=postgres://… for a shared server.`,
    examples: [
      "coffer server start",
      "COFFER_DATABASE_URL=postgres://coffer@db/coffer coffer server start --host 0.0.0.0",
    ],
    handler: async () => (await server()).serverStart,
  },
];

const ROLES = ["reader", "value-reader", "writer", "admin", "auditor"];

/** The server's limits on a token's life (packages/server, identity/tokens.ts), checked here first. */
export const TOKEN_MAX_DAYS = 3650;
export const ENROLLMENT_MAX_DAYS = 7;

export const USER_GROUP: GroupSpec = { name: "user", summary: "the server's users (admin)" };

export const USER_COMMANDS: readonly CommandSpec[] = [
  {
    path: ["user", "list"],
    summary: "list the users and their roles",
    examples: ["coffer user list", "coffer user list --json"],
    handler: async () => (await server()).userList,
  },
  {
    path: ["user", "create"],
    summary: "add a user",
    arguments: [{ name: "<name>", description: "the user name (lowercase letters, digits, . _ - @)" }],
    options: [{ flags: "--role <role>", description: "what they may do", choices: ROLES, required: true }],
    examples: ["coffer user create ci-bot --role value-reader"],
    handler: async () => (await server()).userCreate,
  },
  {
    path: ["user", "set-role"],
    summary: "change a user's role",
    arguments: [
      { name: "<name>", description: "the user" },
      { name: "<role>", description: ROLES.join(" | "), choices: ROLES },
    ],
    examples: ["coffer user set-role ci-bot writer"],
    handler: async () => (await server()).userSetRole,
  },
  {
    path: ["user", "delete"],
    summary: "remove a user and revoke their tokens (their secrets stay)",
    arguments: [{ name: "<name>", description: "the user" }],
    options: [{ flags: "-y, --yes", description: "do not ask for confirmation" }],
    examples: ["coffer user delete ci-bot -y"],
    handler: async () => (await server()).userDelete,
  },
];

export const TOKEN_GROUP: GroupSpec = { name: "token", summary: "API tokens" };

export const TOKEN_COMMANDS: readonly CommandSpec[] = [
  {
    path: ["token", "list"],
    summary: "your tokens (every token, for admins); never the tokens themselves",
    examples: ["coffer token list"],
    handler: async () => (await server()).tokenList,
  },
  {
    path: ["token", "create"],
    summary: "make a token and print it (the only time it is shown)",
    options: [
      {
        flags: "--user <name>",
        description:
          "admins: an enrollment token for a new user, which only makes that user's own token (default: your own token)",
      },
      { flags: "--description <text>", description: "what it is for, e.g. 'CI deploys'" },
      {
        flags: "--expires-in-days <days>",
        description: `expiry, 1-${TOKEN_MAX_DAYS} (default: never; enrollment tokens 1, at most ${ENROLLMENT_MAX_DAYS})`,
        parse: parseWholeNumber(1, TOKEN_MAX_DAYS),
      },
    ],
    examples: [
      "coffer token create --description laptop --expires-in-days 90",
      "coffer token create --user ci-bot",
    ],
    handler: async () => (await server()).tokenCreate,
  },
  {
    path: ["token", "revoke"],
    summary: "stop a token from working",
    arguments: [{ name: "<id>", description: "the token's id (coffer token list)" }],
    examples: ["coffer token revoke k3x9q2m1a0zz"],
    handler: async () => (await server()).tokenRevoke,
  },
];

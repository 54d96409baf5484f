/**
 * Working with a Coffer server: `server start`, and the admin's `user …` and `token …` commands
 * (`login` / `logout` are in account.ts, with the contexts they save).
 */
import type { Command } from "commander";
import { CliError, usageError } from "../cli-errors.js";
import { ENROLLMENT_MAX_DAYS } from "../command-tree/server.js";
import type { Context } from "../context.js";
import { assertTerminal, confirm, endPrompts } from "../prompt.js";
import { table } from "../table.js";

export async function serverStart(context: Context, command: Command): Promise<void> {
  const options = command.opts<{ host?: string; port?: number }>();
  // The server (fastify and friends) is loaded only for this command.
  const { startServer } = await import("@coffer/server");
  const server = await startServer({
    settings: {
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
    },
    ...(context.json ? { log: false } : {}),
  }).catch((error: unknown) => {
    throw portInUse(error) ?? error;
  });
  const issued = server.bootstrapToken;
  context.result({ url: server.url, bootstrapToken: issued?.token }, () =>
    [
      ...(issued
        ? [
            `Created the admin user '${issued.user}'. Its bootstrap token, shown only this once, expires at ${issued.expiresAt?.toISOString()}:`,
            "",
            `  ${issued.token}`,
            "",
            `Log in with: coffer login --url ${server.url} --token <token>, then make your own token (coffer token create).`,
          ]
        : []),
      `coffer server listening on ${server.url} (Ctrl-C stops it)`,
    ].join("\n"),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await server.close();
}

/**
 * Another program listening on the port is a matter of this machine's settings, not a bug: the
 * configuration exit code (6), naming the port and the two ways to pick another.
 */
function portInUse(error: unknown): CliError | undefined {
  const failure = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (failure?.code !== "EADDRINUSE") return undefined;
  const where =
    failure.port !== undefined
      ? `Port ${failure.port}${failure.address ? ` on ${failure.address}` : ""}`
      : "The port";
  return new CliError(
    "config",
    `${where} is in use by another program.`,
    "Pick another with --port or COFFER_SERVER_PORT, or stop the program that uses it.",
  );
}

async function admin(context: Context) {
  return (await context.client()).admin();
}

export async function userList(context: Context): Promise<void> {
  const { users } = await (await admin(context)).listUsers();
  context.result({ items: users }, () =>
    table(
      ["USER", "ROLE", "CREATED"],
      users.map((user) => [user.name, user.role, user.createdAt]),
    ),
  );
}

export async function userCreate(context: Context, command: Command): Promise<void> {
  const [name] = command.args as [string];
  const { role } = command.opts<{ role: string }>();
  const user = await (await admin(context)).createUser(name, role);
  context.result(
    user,
    () =>
      `Created user ${user.name} (${user.role}). Give them an enrollment token (coffer token create --user ${user.name}); they make their own token with it.`,
  );
}

export async function userSetRole(context: Context, command: Command): Promise<void> {
  const [name, role] = command.args as [string, string];
  const user = await (await admin(context)).setRole(name, role);
  context.result(user, () => `${user.name} is now ${user.role}.`);
}

export async function userDelete(context: Context, command: Command): Promise<void> {
  const [name] = command.args as [string];
  const { yes } = command.opts<{ yes?: boolean }>();
  if (!yes) {
    assertTerminal("Confirmation", "Pass -y to delete without asking.");
    try {
      if (!(await confirm(`Delete user ${name} and revoke all their tokens? [y/N] `))) {
        throw new CliError("cancelled", "Nothing was deleted.");
      }
    } finally {
      endPrompts();
    }
  }
  await (await admin(context)).deleteUser(name);
  context.result({ name }, () => `Deleted user ${name}; their tokens no longer work. Their secrets stay.`);
}

export async function tokenList(context: Context): Promise<void> {
  const { tokens } = await (await admin(context)).listTokens();
  context.result({ items: tokens }, () =>
    table(
      ["ID", "USER", "DESCRIPTION", "CREATED", "EXPIRES", "STATE"],
      tokens.map((token) => [
        token.id,
        token.user,
        token.description,
        token.createdAt,
        token.expiresAt ?? "never",
        token.revoked ? "revoked" : "active",
      ]),
    ),
  );
}

export async function tokenCreate(context: Context, command: Command): Promise<void> {
  const options = command.opts<{ user?: string; description?: string; expiresInDays?: number }>();
  if (options.user !== undefined && (options.expiresInDays ?? 0) > ENROLLMENT_MAX_DAYS) {
    throw usageError(
      `--expires-in-days ${options.expiresInDays} is too long for an enrollment token (--user).`,
      `Use a whole number from 1 to ${ENROLLMENT_MAX_DAYS}.`,
    );
  }
  const issued = await (await admin(context)).createToken({
    ...(options.user !== undefined ? { user: options.user } : {}),
    ...(options.description !== undefined ? { description: options.description } : {}),
    ...(options.expiresInDays !== undefined ? { expiresInDays: options.expiresInDays } : {}),
  });
  // The token itself is what was asked for: it goes to stdout, the advice to stderr.
  context.result(issued, () => issued.token);
  if (!context.json) {
    context.note(
      issued.kind === "enrollment"
        ? `Enrollment token ${issued.id} for ${issued.user}: it only lets ${issued.user} make their own token, once, until ${issued.expiresAt}. Hand it over safely; they run: COFFER_URL=… COFFER_TOKEN=<it> coffer token create`
        : `Token ${issued.id} for ${issued.user}: shown only now; store it safely (it is kept only as a hash).`,
    );
  }
}

export async function tokenRevoke(context: Context, command: Command): Promise<void> {
  const [id] = command.args as [string];
  await (await admin(context)).revokeToken(id);
  context.result({ id }, () => `Revoked token ${id}.`);
}

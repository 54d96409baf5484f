/**
 * Who and where: `login` / `logout` (a saved context per server), `whoami`, `status`, and
 * `context list | use | remove`. The contexts live in the client's credentials file (see
 * @coffer/client, credentials.ts): COFFER_URL/COFFER_TOKEN first, then COFFER_CONTEXT, then the
 * current context, else the local store.
 */
import type { Command } from "commander";
import { CliError, usageError } from "../cli-errors.js";
import type { Context } from "../context.js";
import { ask, assertTerminal, endPrompts } from "../prompt.js";

const client = () => import("@coffer/client");

export async function login(context: Context, command: Command): Promise<void> {
  const options = command.opts<{ url: string; token?: string; context?: string }>();
  const {
    checkContextName,
    cleartextRefusal,
    DEFAULT_CONTEXT,
    insecureFromEnv,
    RemoteTransport,
    saveCredentials,
  } = await client();
  // Before the token is asked for: a plain http:// URL to another machine is refused anyway.
  const insecure = context.insecure || insecureFromEnv();
  const refusal = URL.canParse(options.url) ? cleartextRefusal(new URL(options.url), insecure) : undefined;
  if (refusal) throw refusal;
  // Checked before anything is asked or sent.
  const name = checkContextName(options.context ?? DEFAULT_CONTEXT);
  let token = options.token ?? process.env.COFFER_TOKEN;
  if (!token) {
    assertTerminal("The API token", "Pass --token or set COFFER_TOKEN.");
    try {
      token = (await ask("API token: ", { hidden: true })).trim();
    } finally {
      endPrompts();
    }
  }
  if (!token) throw usageError("No API token given.", "Pass --token, or paste it at the prompt.");
  const me = await new RemoteTransport({ url: options.url, token, insecure }).whoAmI();
  const file = saveCredentials({ url: options.url, token, context: name });
  context.result(
    { context: name, server: options.url, user: me.user, role: me.role, credentials: file },
    () =>
      [
        `Logged in to ${options.url} as ${me.user} (${me.role}), as the context '${name}'.`,
        `Every coffer command now talks to that server; the token is in ${file} (mode 0600).`,
      ].join("\n"),
  );
  if (!context.json && process.env.COFFER_CONTEXT && process.env.COFFER_CONTEXT !== name) {
    context.note(`note: COFFER_CONTEXT=${process.env.COFFER_CONTEXT} is set, and wins while it is.`);
  }
}

export async function logout(context: Context, command: Command): Promise<void> {
  const { readCredentials, credentialsFile } = await client();
  const saved = readCredentials();
  if (!saved) {
    context.result(
      { context: null, server: null, revoked: false, credentials: credentialsFile() },
      () => "You were not logged in: coffer works on the local store.",
    );
    return;
  }
  await forget(context, saved, command.opts<{ revoke: boolean }>().revoke);
}

export async function contextRemove(context: Context, command: Command): Promise<void> {
  const [name] = command.args as [string];
  const { listContexts, readCredentials } = await client();
  const known = listContexts().contexts.map((each) => each.name);
  if (!known.includes(name)) throw noSuchContext(name, known);
  const saved = readCredentials({ ...process.env, COFFER_CONTEXT: name })!;
  await forget(context, saved, command.opts<{ revoke: boolean }>().revoke);
}

/**
 * Revokes a context's token on its server (unless told not to), then forgets the context. A token
 * the server no longer takes is forgotten all the same; any other failure (the server does not
 * answer) keeps it, so that it can still be revoked.
 */
async function forget(
  context: Context,
  saved: { url: string; token: string; context: string },
  revoke: boolean,
): Promise<void> {
  const { credentialsFile, insecureFromEnv, readCredentials, RemoteTransport, removeCredentials } =
    await client();
  let revoked = false;
  if (revoke) {
    try {
      const insecure = context.insecure || insecureFromEnv();
      await new RemoteTransport({ url: saved.url, token: saved.token, insecure }).revokeOwnToken();
      revoked = true;
    } catch (error) {
      // Refused before sending (plain http:// without --insecure): its own message says what to do.
      if ((error as { code?: unknown }).code === "INVALID_CONFIG") throw error;
      if ((error as { code?: unknown }).code !== "UNAUTHENTICATED") {
        throw new CliError(
          "unavailable",
          `The token of the context '${saved.context}' was not revoked (${(error as Error).message}), so it is kept: you are still logged in.`,
          "Run it again when the server answers, or pass --no-revoke to forget the token without revoking it.",
        );
      }
      // Already revoked or expired: nothing left to revoke.
    }
  }
  removeCredentials(process.env, saved.context);
  const next = (() => {
    try {
      return readCredentials();
    } catch {
      return undefined; // COFFER_CONTEXT names the context just forgotten: the next command says so
    }
  })();
  context.result(
    { context: saved.context, server: saved.url, revoked, credentials: credentialsFile() },
    () =>
      `Logged out of ${saved.url} (context '${saved.context}')${revoked ? "; the token is revoked" : revoke ? "; the token was no longer valid" : "; the token was NOT revoked and still works"}. ${nowUsing(next)}`,
  );
}

/** What the next command uses, after a context was forgotten. */
function nowUsing(next: { context: string } | undefined): string {
  return next ? `Now using the context '${next.context}'.` : "Now using the local store.";
}

/** Where this command reads: the mode, the server and the context (null when not from one). */
async function location(context: Context) {
  const { readCredentials } = await client();
  const coffer = await context.client();
  const fromEnv = Boolean(process.env.COFFER_URL || process.env.COFFER_TOKEN);
  const saved = coffer.mode === "remote" && !fromEnv ? readCredentials() : undefined;
  return { coffer, server: coffer.server ?? null, context: saved?.context ?? null };
}

interface Identity {
  mode: "local" | "remote";
  user: string;
  role: string | null;
  server: string | null;
  context: string | null;
}

async function identity(context: Context): Promise<Identity> {
  const { coffer, server, context: name } = await location(context);
  if (coffer.mode === "remote") {
    const me = await coffer.admin().whoAmI();
    return { mode: "remote", user: me.user, role: me.role, server, context: name };
  }
  return { mode: "local", user: coffer.user, role: null, server: null, context: null };
}

function describeIdentity(who: Identity): string {
  return who.mode === "remote"
    ? `${who.user} (${who.role}) on ${who.server}${who.context ? `, context '${who.context}'` : " (COFFER_URL)"}`
    : `${who.user} (local user) on the local store`;
}

export async function whoami(context: Context): Promise<void> {
  const who = await identity(context);
  context.result(who, () => describeIdentity(who));
}

export async function status(context: Context): Promise<void> {
  const who = await identity(context);
  const { coffer } = await location(context);
  const info = await coffer.storeInfo();
  const local = who.mode === "local";
  const result = {
    ...who,
    status: info.status,
    store: { type: info.store.type, status: info.store.health.status },
    dataDir: local ? info.dataDir : null,
    configFile: local ? (info.configFile ?? null) : null,
  };
  context.result(result, () =>
    [
      `you      ${describeIdentity(who)}`,
      `store    ${info.store.type} (${info.store.health.status})`,
      ...(local ? [`data     ${info.dataDir}`] : []),
      ...(local && info.configFile ? [`config   ${info.configFile}`] : []),
      `status   ${info.status}`,
    ].join("\n"),
  );
  if (info.status !== "ready") {
    throw new CliError(
      "unavailable",
      "The store or the metadata database is not healthy.",
      "Run coffer store info for the details.",
    );
  }
}

export async function contextList(context: Context): Promise<void> {
  const { listContexts, LOCAL_CONTEXT } = await client();
  const { contexts } = listContexts();
  const inUse = contexts.find((each) => each.selected)?.name ?? LOCAL_CONTEXT;
  const { table } = await import("../table.js");
  context.result(
    { inUse, items: contexts.map(({ name, url, selected }) => ({ name, server: url, inUse: selected })) },
    () => {
      const rows = contexts.map((each) => [each.selected ? "*" : "", each.name, each.url]);
      rows.push([inUse === LOCAL_CONTEXT ? "*" : "", LOCAL_CONTEXT, "(the local store)"]);
      return table(["", "NAME", "SERVER"], rows);
    },
  );
}

export async function contextUse(context: Context, command: Command): Promise<void> {
  const [name] = command.args as [string];
  const { listContexts, LOCAL_CONTEXT, useContext } = await client();
  const known = listContexts().contexts.map((each) => each.name);
  if (name !== LOCAL_CONTEXT && !known.includes(name)) throw noSuchContext(name, known);
  useContext(name);
  context.result({ inUse: name }, () =>
    name === LOCAL_CONTEXT
      ? "Now using the local store."
      : `Now using the context '${name}' (${listContexts().contexts.find((each) => each.name === name)?.url}).`,
  );
  const override = process.env.COFFER_CONTEXT;
  if (!context.json && override && override !== name) {
    context.note(`note: COFFER_CONTEXT=${override} is set, and wins while it is.`);
  }
}

function noSuchContext(name: string, known: string[]): CliError {
  return new CliError(
    "notFound",
    `There is no context named '${name.slice(0, 70)}'.`,
    known.length > 0
      ? `The contexts are: ${known.join(", ")} (and local).`
      : `Log in first: coffer login --context ${name.slice(0, 70)} --url …`,
  );
}

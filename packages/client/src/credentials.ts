/**
 * Where `coffer login` keeps server URLs and tokens: a JSON file in the user's configuration
 * directory, readable by the owner only, holding named contexts (like kubectl's) — one per server
 * or account — and which of them is current:
 *
 *   { "current": "staging",
 *     "contexts": { "default": { "url": "…", "token": "…" }, "staging": { "url": "…", "token": "…" } } }
 *
 * Which one a client uses: COFFER_URL and COFFER_TOKEN win over the file; then COFFER_CONTEXT names
 * a context; then the current one; with none (or COFFER_CONTEXT=local), the local store. A file of
 * the first format, `{ "url", "token" }`, reads as the one context "default".
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { InvalidConfigError, ValidationError } from "@coffer/core";

export interface Credentials {
  url: string;
  token: string;
  /** The context they belong to ("default" unless named). */
  context?: string;
}

/** The context `coffer login` writes when none is named. */
export const DEFAULT_CONTEXT = "default";
/** Not a context: the name that means "the local store" (`coffer context use local`). */
export const LOCAL_CONTEXT = "local";

interface CredentialsDocument {
  current?: string;
  contexts: Record<string, { url: string; token: string }>;
}

type Env = Record<string, string | undefined>;

export function credentialsFile(env: Env = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), ".config");
  return path.join(base, "coffer", "credentials.json");
}

/**
 * The credentials a client uses from the file: those of COFFER_CONTEXT, else of the current
 * context; undefined for the local store. A COFFER_CONTEXT the file does not hold is an error
 * (not a silent fall back to the local store).
 */
export function readCredentials(env: Env = process.env): Required<Credentials> | undefined {
  const document = readDocument(env);
  const wanted = env.COFFER_CONTEXT || undefined;
  if (wanted === LOCAL_CONTEXT) return undefined;
  if (wanted !== undefined) {
    const chosen =
      document && Object.hasOwn(document.contexts, wanted) ? document.contexts[wanted] : undefined;
    if (!chosen) {
      const known = document ? Object.keys(document.contexts) : [];
      throw new InvalidConfigError(`COFFER_CONTEXT names '${wanted}', and there is no such context.`, {
        hint: known.length
          ? `The contexts are: ${known.join(", ")} (coffer context list), or local.`
          : `Log in first: coffer login --context ${wanted} --url …`,
        details: { variable: "COFFER_CONTEXT" },
      });
    }
    return { ...chosen, context: wanted };
  }
  const current = document?.current;
  if (document === undefined || current === undefined || !Object.hasOwn(document.contexts, current))
    return undefined;
  return { ...document.contexts[current]!, context: current };
}

/** Saves a context's URL and token (replacing what it held) and makes it the current one. */
export function saveCredentials(credentials: Credentials, env: Env = process.env): string {
  const name = checkContextName(credentials.context ?? DEFAULT_CONTEXT);
  const document = readDocument(env) ?? { contexts: {} };
  document.contexts[name] = { url: credentials.url, token: credentials.token };
  document.current = name;
  return writeDocument(document, env);
}

/**
 * Forgets a context (the one in use — COFFER_CONTEXT's, else the current — unless named) and returns
 * what it held, or undefined when there was none. The local store becomes current when it was.
 */
export function removeCredentials(
  env: Env = process.env,
  context?: string,
): Required<Credentials> | undefined {
  const document = readDocument(env);
  const name = context ?? (env.COFFER_CONTEXT || undefined) ?? document?.current;
  if (!document || name === undefined || !Object.hasOwn(document.contexts, name)) return undefined;
  const removed = { ...document.contexts[name]!, context: name };
  delete document.contexts[name];
  if (document.current === name) delete document.current;
  if (Object.keys(document.contexts).length === 0) rmSync(credentialsFile(env));
  else writeDocument(document, env);
  return removed;
}

export interface ContextSummary {
  name: string;
  url: string;
  /** Whether a client started now uses it (COFFER_CONTEXT first, then the current context). */
  selected: boolean;
}

/** Every saved context (never their tokens), and which one is current. */
export function listContexts(env: Env = process.env): {
  current: string | undefined;
  contexts: ContextSummary[];
} {
  const document = readDocument(env);
  const selected = env.COFFER_CONTEXT || document?.current;
  const contexts = Object.entries(document?.contexts ?? {}).map(([name, { url }]) => ({
    name,
    url,
    selected: name === selected,
  }));
  return { current: document?.current, contexts };
}

/** Makes a saved context current; `local` makes the local store current. */
export function useContext(name: string, env: Env = process.env): void {
  const document = readDocument(env);
  if (name === LOCAL_CONTEXT) {
    if (document?.current !== undefined) {
      delete document.current;
      writeDocument(document, env);
    }
    return;
  }
  if (!document || !Object.hasOwn(document.contexts, name)) {
    const known = document ? Object.keys(document.contexts) : [];
    throw new ValidationError(`There is no context named '${name}'.`, {
      hint: known.length
        ? `The contexts are: ${known.join(", ")}, and local.`
        : `Log in first: coffer login --context ${name} --url …`,
      details: { context: name },
    });
  }
  document.current = name;
  writeDocument(document, env);
}

const CONTEXT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** A context name: letters, digits, `.`, `_` and `-`, up to 63 characters; `local` is taken. */
export function checkContextName(name: string): string {
  if (!CONTEXT_NAME.test(name)) {
    throw new ValidationError(`'${name.slice(0, 70)}' is not a context name.`, {
      hint: "Use letters, digits, '.', '_' and '-' (up to 63 characters), e.g. staging.",
      details: { field: "context" },
    });
  }
  if (name === LOCAL_CONTEXT) {
    throw new ValidationError("'local' names the local store, not a server.", {
      hint: "Choose another name for the context, e.g. --context dev.",
      details: { field: "context" },
    });
  }
  return name;
}

// --- the file ------------------------------------------------------------------------------------

function readDocument(env: Env): CredentialsDocument | undefined {
  const file = credentialsFile(env);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  if ((statSync(file).mode & 0o077) !== 0) {
    throw new InvalidConfigError(`${file} holds an API token but other users may read it.`, {
      hint: `Run chmod 600 ${file} (or coffer logout and log in again).`,
      details: { file },
    });
  }
  const document = parseDocument(text);
  if (document) return document;
  throw new InvalidConfigError(`${file} is not a Coffer credentials file.`, {
    hint: `Remove it (rm ${file}), then coffer login --url … again.`,
    details: { file },
  });
}

function parseDocument(text: string): CredentialsDocument | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { url, token, current, contexts } = parsed as Record<string, unknown>;
  // The first format: one server, no contexts.
  if (typeof url === "string" && typeof token === "string") {
    return { current: DEFAULT_CONTEXT, contexts: { [DEFAULT_CONTEXT]: { url, token } } };
  }
  if (typeof contexts !== "object" || contexts === null) return undefined;
  const document: CredentialsDocument = { contexts: {} };
  for (const [name, entry] of Object.entries(contexts)) {
    if (!CONTEXT_NAME.test(name)) continue; // never `__proto__` as a key of the object below
    const { url: entryUrl, token: entryToken } = (entry ?? {}) as Record<string, unknown>;
    if (typeof entryUrl !== "string" || typeof entryToken !== "string") return undefined;
    document.contexts[name] = { url: entryUrl, token: entryToken };
  }
  if (typeof current === "string") document.current = current;
  return document;
}

/** Writes the whole file at once (a new file renamed over the old), mode 0600 in a 0700 directory. */
function writeDocument(document: CredentialsDocument, env: Env): string {
  const file = credentialsFile(env);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const next = `${file}.${process.pid}.tmp`;
  const ordered = {
    ...(document.current !== undefined ? { current: document.current } : {}),
    contexts: document.contexts,
  };
  writeFileSync(next, `${JSON.stringify(ordered, null, 2)}\n`, { mode: 0o600 });
  chmodSync(next, 0o600);
  renameSync(next, file);
  return file;
}

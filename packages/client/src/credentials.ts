/**
 * Where `coffer login` keeps the server URL and token: a JSON file in the user's configuration
 * directory, readable by the owner only. COFFER_URL and COFFER_TOKEN win over it.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { InvalidConfigError } from "@coffer/core";

export interface Credentials {
  url: string;
  token: string;
}

export function credentialsFile(env: Record<string, string | undefined> = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), ".config");
  return path.join(base, "coffer", "credentials.json");
}

export function readCredentials(
  env: Record<string, string | undefined> = process.env,
): Credentials | undefined {
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
  try {
    const parsed = JSON.parse(text) as Partial<Credentials>;
    if (typeof parsed.url === "string" && typeof parsed.token === "string")
      return { url: parsed.url, token: parsed.token };
  } catch {
    // fall through to the error below
  }
  throw new InvalidConfigError(`${file} is not a Coffer credentials file.`, {
    hint: "Run coffer logout, then coffer login --url … again.",
    details: { file },
  });
}

export function saveCredentials(
  credentials: Credentials,
  env: Record<string, string | undefined> = process.env,
): string {
  const file = credentialsFile(env);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

/** Returns whether there was a file to remove. */
export function removeCredentials(env: Record<string, string | undefined> = process.env): boolean {
  const file = credentialsFile(env);
  try {
    statSync(file);
  } catch {
    return false;
  }
  rmSync(file);
  return true;
}

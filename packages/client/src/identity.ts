/**
 * Who the client acts as in local mode. There is no server to authenticate against: the person at
 * the keyboard is the operating-system user, as with git's default author or a local database.
 * `COFFER_USER` (or the `user` option) overrides it — for a shared service account, or for tests.
 */
import { userInfo } from "node:os";
import { InvalidConfigError } from "@coffer/core";

export function localUser(option: string | undefined, env: Record<string, string | undefined>): string {
  if (option !== undefined) return checked(option, "The user option");
  const fromEnv = env.COFFER_USER;
  if (fromEnv !== undefined && fromEnv !== "") return checked(fromEnv, "COFFER_USER");
  return osUserName(env);
}

function osUserName(env: Record<string, string | undefined>): string {
  try {
    const name = userInfo().username;
    if (name) return name;
  } catch {
    // No passwd entry for this uid (common in containers): fall back to the login variables.
  }
  const fallback = env.USER || env.LOGNAME || env.USERNAME;
  if (fallback) return fallback;
  throw new InvalidConfigError("Coffer cannot tell who you are: the operating system reports no user name.", {
    hint: "Set COFFER_USER to the user id Coffer should act as.",
    details: { variable: "COFFER_USER" },
  });
}

function checked(user: string, source: string): string {
  if (user.trim() === "" || user.trim() !== user || /\p{Cc}/u.test(user) || user.length > 255) {
    throw new InvalidConfigError(`${source} is not a usable user id.`, {
      hint: "Use 1 to 255 printable characters with no leading or trailing spaces.",
      details: { variable: "COFFER_USER" },
    });
  }
  return user;
}

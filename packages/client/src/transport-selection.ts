/**
 * Which transport a client uses, decided once when it is made: remote mode when the url/token
 * options, COFFER_URL/COFFER_TOKEN or what `coffer login` saved name a server, else local mode.
 * A half-given remote configuration, or a credentials file that cannot be used, becomes a
 * transport that reports the problem on the first call (createClient() opens nothing).
 */
import { type CofferError, InvalidConfigError } from "@coffer/core";
import type { CofferConfig } from "@coffer/core/config";
import { insecureFromEnv } from "./cleartext-token.js";
import type { ClientOptions } from "./client-options.js";
import { readCredentials } from "./credentials.js";
import { LocalTransport } from "./local-transport.js";
import { RemoteTransport } from "./remote-transport.js";
import type { Transport } from "./transport.js";

/** What local mode needs from the client: its user and its configuration, both read lazily. */
export interface LocalParts {
  user: () => string;
  config: () => Promise<CofferConfig>;
}

export function selectTransport(
  options: ClientOptions,
  env: Record<string, string | undefined>,
  local: LocalParts,
): Transport {
  // COFFER_URL / COFFER_TOKEN (or the url / token options) select remote mode.
  let url = options.url ?? (env.COFFER_URL || undefined);
  let token = options.token ?? (env.COFFER_TOKEN || undefined);
  // Then what `coffer login` saved (unless the options chose a mode explicitly).
  if (url === undefined && token === undefined && options.user === undefined) {
    let saved: ReturnType<typeof readCredentials>;
    try {
      saved = readCredentials(env);
    } catch (error) {
      // A COFFER_CONTEXT the file lacks, or a file others may read: like every configuration
      // problem, reported on the first call (createClient() opens nothing).
      if (!(error instanceof InvalidConfigError)) throw error;
      return new RemoteTransport({ url: "", token: "", problem: error });
    }
    if (saved) ({ url, token } = saved);
  }
  if (url !== undefined || token !== undefined) {
    const fromEnv = options.url === undefined && options.token === undefined;
    let insecure = options.insecure;
    let badSetting: CofferError | undefined;
    if (insecure === undefined) {
      try {
        insecure = insecureFromEnv(env);
      } catch (error) {
        if (!(error instanceof InvalidConfigError)) throw error;
        badSetting = error;
      }
    }
    // Half a remote configuration is refused rather than quietly going local — on the first
    // call, like every configuration problem, since createClient() opens nothing.
    const problem =
      badSetting ??
      (url && token
        ? undefined
        : new InvalidConfigError(
            `Remote mode needs both a server URL and a token; ${url ? "the token" : "the URL"} is missing.`,
            {
              hint: fromEnv
                ? `Set ${url ? "COFFER_TOKEN" : "COFFER_URL"} too (or run coffer login), or unset both to use the local store.`
                : "Pass both url and token, or neither for the local store.",
              details: { variable: url ? "COFFER_TOKEN" : "COFFER_URL" },
            },
          ));
    return new RemoteTransport({
      url: url ?? "",
      token: token ?? "",
      ...(insecure ? { insecure } : {}),
      ...(problem ? { problem } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }
  return new LocalTransport({
    user: local.user,
    config: local.config,
    logLevelExplicit: Boolean(env.COFFER_LOG_LEVEL),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

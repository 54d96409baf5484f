/**
 * Local secrets: values given on this machine that override the store for `Secret(name).get()`,
 * `.exists()` and `coffer run`, the way Prefect's local secrets override its server. They let a
 * program run against a stand-in value (a test database, a CI token) without touching the store.
 *
 *   COFFER_LOCAL_SECRET_DB='{"username":"app","password":"…"}'     environment: a JSON object
 *   secrets:                                                       the Coffer YAML file
 *     db: { username: app, password: "…" }
 *
 * The environment wins over the file, and both win over the store. The variable for a secret is
 * `COFFER_LOCAL_SECRET_` followed by its name in upper case with every character other than A–Z
 * and 0–9 replaced by `_`: `db` → `COFFER_LOCAL_SECRET_DB`, `payments/stripe` →
 * `COFFER_LOCAL_SECRET_PAYMENTS_STRIPE`. Names that differ only in case or punctuation share a
 * variable; give such secrets in the file, where any name can be written as it is.
 *
 * Values that are not strings (numbers, booleans, objects) are kept as their JSON text, so that a
 * secret's values are strings everywhere, and `get()` decodes them back.
 *
 * (Not `COFFER_SECRET_<NAME>`: that prefix already holds COFFER_SECRET_VALIDATION_LEVEL.)
 */
import { InvalidConfigError, isCofferError, type SecretValues, validateSecretValues, z } from "@coffer/core";

export const LOCAL_SECRET_PREFIX = "COFFER_LOCAL_SECRET_";

/** The config section `secrets:`; the client checks its contents itself so no value is ever echoed. */
export const localSecretsSection = {
  schema: z.record(z.string(), z.unknown()),
  envPrefix: LOCAL_SECRET_PREFIX,
};

export interface LocalSecret {
  values: SecretValues;
  /** Where it came from: the variable name, or `secrets.<name> in <file>`. */
  source: string;
}

/** The environment variable that overrides the secret `name`. */
export function localSecretVariable(name: string): string {
  return LOCAL_SECRET_PREFIX + name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/** The environment without the local-secret variables (they are not deploy-time settings). */
export function withoutLocalSecrets(
  env: Record<string, string | undefined>,
): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith(LOCAL_SECRET_PREFIX)));
}

export class LocalSecrets {
  readonly #env: Record<string, string> = {};
  readonly #file = new Map<string, LocalSecret>();

  /** Checks every local-secret variable now, so a mistake shows at start, not at first use. */
  constructor(env: Record<string, string | undefined>) {
    for (const [variable, text] of Object.entries(env)) {
      if (!variable.startsWith(LOCAL_SECRET_PREFIX) || text === undefined) continue;
      if (variable === LOCAL_SECRET_PREFIX) {
        throw new InvalidConfigError(`${variable} names no secret.`, {
          hint: `Write the secret's name after the prefix, e.g. ${LOCAL_SECRET_PREFIX}DB.`,
          details: { variable },
        });
      }
      parseEnvValue(variable, text);
      this.#env[variable] = text;
    }
  }

  /** Adds the `secrets:` section of the configuration file. */
  loadFile(section: unknown, fileLabel: string | undefined): void {
    if (section === undefined || section === null) return;
    for (const [name, values] of Object.entries(section as Record<string, unknown>)) {
      const source = `secrets.${name} in ${fileLabel ?? "the configuration file"}`;
      this.#file.set(name, { values: normalize(values, source), source });
    }
  }

  /** The override for `name` from the environment. */
  fromEnv(name: string): LocalSecret | undefined {
    const variable = localSecretVariable(name);
    const text = this.#env[variable];
    return text === undefined ? undefined : { values: parseEnvValue(variable, text), source: variable };
  }

  /** The override for `name`: the environment first, then the file. */
  find(name: string): LocalSecret | undefined {
    return this.fromEnv(name) ?? this.#file.get(name);
  }
}

function parseEnvValue(variable: string, text: string): SecretValues {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The message never quotes the text: it is a secret.
    throw new InvalidConfigError(`${variable} is not valid JSON.`, {
      hint: `Set it to a JSON object of key/value pairs, e.g. ${variable}='{"password":"…"}'.`,
      details: { variable },
    });
  }
  return normalize(parsed, variable);
}

function normalize(values: unknown, source: string): SecretValues {
  if (values === null || typeof values !== "object" || Array.isArray(values)) {
    throw new InvalidConfigError(`${source} must be an object of key/value pairs.`, {
      hint: 'Write it as a mapping of keys to values, e.g. {"username": "app", "password": "…"}.',
      details: { variable: source },
    });
  }
  const asText = Object.entries(values).map(([key, value]) => [
    key,
    typeof value === "string" ? value : JSON.stringify(value),
  ]);
  try {
    return validateSecretValues(asText);
  } catch (error) {
    if (!isCofferError(error)) throw error;
    throw new InvalidConfigError(`${source} is not a valid secret: ${error.message}`, {
      hint: error.hint ?? "Fix the keys and values.",
      details: { variable: source },
    });
  }
}

/**
 * Choosing a KMS key source at start: find the registration named by option `keySource` among
 * those the sql store was given (`@coffer/stores` gives the built-in ones, loaded only when chosen),
 * check option `kms` against its schema, and make its KEK. Every mistake is an InvalidConfigError
 * naming the variable and the fix.
 */
import { InvalidConfigError } from "@coffer/core";
import type { KeyEncryptionKey, KeySourceContext, KeySourceLoaders } from "./kek.js";

const KEY_SOURCE_VARIABLE = "COFFER_STORE_KEY_SOURCE";
const KMS_VARIABLE = "COFFER_STORE_KMS";

export async function createKek(
  name: string,
  options: unknown,
  loaders: KeySourceLoaders,
  context: KeySourceContext,
): Promise<KeyEncryptionKey> {
  const load = Object.hasOwn(loaders, name) ? loaders[name] : undefined;
  if (!load) {
    const known = ["keyring", ...Object.keys(loaders)];
    throw new InvalidConfigError(`${KEY_SOURCE_VARIABLE}=${name} is not a key source this sql store knows.`, {
      hint: `Use one of: ${known.join(", ")}. KMS key sources come with @coffer/stores (the coffer command and server have them).`,
      details: { variable: KEY_SOURCE_VARIABLE, known },
    });
  }
  const registration = await load();
  const parsed = registration.optionsSchema.safeParse(parseText(options));
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(the object)"}: ${issue.message}`,
    );
    throw new InvalidConfigError(`${KMS_VARIABLE} does not suit key source '${name}': ${problems[0]}.`, {
      hint: `Give ${KMS_VARIABLE} as a JSON object of the ${registration.description}'s options (or store.kms as a YAML mapping).`,
      details: { variable: KMS_VARIABLE, problems },
    });
  }
  return registration.create(parsed.data, context);
}

/** Option `kms` from a variable is JSON text; from the YAML file it is already a mapping. */
function parseText(options: unknown): unknown {
  if (typeof options !== "string") return options;
  try {
    return JSON.parse(options);
  } catch {
    throw new InvalidConfigError(`${KMS_VARIABLE} is not a JSON object.`, {
      hint: `Write it as JSON, e.g. ${KMS_VARIABLE}='{"keyId": "alias/coffer", "region": "eu-west-1"}'.`,
      details: { variable: KMS_VARIABLE },
    });
  }
}

/**
 * Importing a custom store (`COFFER_STORE_TYPE=custom`, `COFFER_STORE_MODULE=…`): a file path or
 * an installed package whose default export (or `store`, or `registration`) is a registration.
 * Whatever the module exports is checked by the registry's `assertRegistration`, and every way
 * this can fail is an InvalidConfigError naming the variable and the module.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { sentence } from "./config/text.js";
import { InvalidConfigError } from "./errors.js";
import { assertRegistration, type StoreRegistration } from "./registry.js";

/**
 * Imports the registration `specifier` names. A path is taken from `cwd`; a package name is
 * resolved as if from a package in `cwd`. `variable` is the setting that named it, for messages.
 */
export async function importStoreModule(
  specifier: string,
  cwd: string,
  variable: string,
): Promise<StoreRegistration> {
  const isPath = specifier.startsWith(".") || path.isAbsolute(specifier);
  let url: string;
  try {
    url = isPath
      ? pathToFileURL(path.resolve(cwd, specifier)).href
      : pathToFileURL(createRequire(path.join(cwd, "package.json")).resolve(specifier)).href;
  } catch {
    // Packages that only export an ESM entry cannot be found by require.resolve; let import try.
    url = specifier;
  }
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const notFound = code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
    throw new InvalidConfigError(
      notFound
        ? `${variable} names '${specifier}', which cannot be found.`
        : `${variable} names '${specifier}', which fails to load: ${sentence((error as Error).message.split("\n")[0]!)}`,
      {
        hint: notFound
          ? "Give a path to the built module (relative to the working directory) or install the package."
          : "Fix the module so that importing it succeeds.",
        details: { variable, module: specifier },
        cause: error,
      },
    );
  }
  const registration = loaded.default ?? loaded.store ?? loaded.registration;
  if (registration === undefined) {
    throw new InvalidConfigError(`The module '${specifier}' (${variable}) exports no store registration.`, {
      hint: "Export one as the default export: export default defineStore({ type, description, optionsSchema, create }).",
      details: { variable, module: specifier },
    });
  }
  assertRegistration(registration, `the module '${specifier}' (${variable})`);
  return registration;
}

/**
 * File-valued options: an option a registration lists in `fileOptions` may be given as
 * `@/path/to/file`, and the store receives the file's contents. Reading the file is the
 * configuration loader's job, so store classes never touch the file system for their options.
 *
 * A deployment's configuration goes through the loader (`@coffer/core/config`), which reads the
 * file a `fileOptions` option names before the schema runs. Programs that build a store's options
 * themselves (embedders, tests) skip the loader, so file-valued fragments (see options.ts) also
 * read a remaining `@path` while the schema parses, with the same error the loader gives; a value
 * the loader already read no longer starts with `@`, and passes through.
 */
import { readFileSync } from "node:fs";
import { InvalidConfigError } from "@coffer/core";

/** `@/path` → the file's contents (one trailing newline dropped); any other value unchanged. */
export function readFileReference(value: unknown, option: string): unknown {
  if (typeof value !== "string" || !value.startsWith("@")) return value;
  const file = value.slice(1);
  try {
    return readFileSync(file, "utf8").replace(/\r?\n$/, "");
  } catch (error) {
    throw new InvalidConfigError(
      `${option} points to the file ${file}, which cannot be read (${(error as NodeJS.ErrnoException).code}).`,
      {
        hint: "Check the path after '@', or give the value directly.",
        details: { option, file },
      },
    );
  }
}

/**
 * File-valued options: an option a registration lists in `fileOptions` may be given as
 * `@/path/to/file`, and the store receives the file's contents. Reading the file is the
 * configuration loader's job, so store classes never touch the file system for their options.
 *
 * TEMPORARY SHIM: until the loader resolves `fileOptions` on this branch, option fragments that are
 * file-valued (see options.ts) resolve a remaining `@path` themselves while the schema parses, with
 * the same error the loader gives. A value the loader already resolved no longer starts with `@`,
 * so the shim is a no-op then and can be deleted once the loader side is merged.
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

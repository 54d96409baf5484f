/**
 * Option values that live in files. Two spellings, two purposes:
 *
 * - a credential (a registration's `sensitiveOptions`, a section's too) may be written
 *   `@/path/to/file`: the file's text, less one final newline, is the value (Docker and
 *   Kubernetes secrets are files);
 * - an option the registration declares in `fileOptions` always names a file (a CA bundle, a key
 *   file): the loader reads it and hands the store the contents, exactly as they are. A relative
 *   path is taken from the working directory for a variable and from the YAML file's directory for
 *   a file setting, so that a configuration file and the files it names can move together.
 *
 * An unreadable file is an InvalidConfigError naming the variable (or file setting) and the path.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { InvalidConfigError } from "../errors.js";

/** `@path` → the file's text (one trailing newline dropped); anything else is returned as is. */
export function readFileReference(value: unknown, label: string): unknown {
  if (typeof value !== "string" || !value.startsWith("@")) return value;
  const file = value.slice(1);
  try {
    return readFileSync(file, "utf8").replace(/\r?\n$/, "");
  } catch (error) {
    throw new InvalidConfigError(
      `${label} points to the file ${file}, which cannot be read (${(error as NodeJS.ErrnoException).code}).`,
      {
        hint: "Check the path after '@', or give the value directly.",
        details: { variable: label, file },
      },
    );
  }
}

/** Where a file-valued option was set, for messages: the label and the error's details. */
export interface OptionFileSource {
  /** `COFFER_STORE_TLS_CA` or `store.tlsCa in coffer.yaml`. */
  label: string;
  /** `{ variable: … }` or `{ setting: … }`: the same keys every configuration error uses. */
  details: Record<string, string>;
  /** The directory a relative path is taken from. */
  baseDir: string;
}

/** Reads the file a `fileOptions` option names; its text and the absolute path it came from. */
export function readOptionFile(value: unknown, source: OptionFileSource): { text: string; file: string } {
  if (typeof value !== "string" || value.trim() === "") {
    throw new InvalidConfigError(`${source.label} must be the path of a file.`, {
      hint: `Set ${source.label} to the path of the file to read; its contents become the option's value.`,
      details: source.details,
    });
  }
  // `@path` is accepted too, so that the credential spelling works here as well.
  const file = path.resolve(source.baseDir, value.startsWith("@") ? value.slice(1) : value);
  try {
    return { text: readFileSync(file, "utf8"), file };
  } catch (error) {
    throw new InvalidConfigError(
      `${source.label} names the file ${file}, which cannot be read (${(error as NodeJS.ErrnoException).code}).`,
      {
        hint: `Check the path in ${source.label}: it must name a readable file.`,
        details: { ...source.details, file },
      },
    );
  }
}

/**
 * The optional YAML configuration file: read, parsed (the parser is imported only when there is a
 * file), and checked for the mistakes that would otherwise be silent — an unknown setting, a list
 * of stores where Coffer has exactly one, a store that is not a mapping.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { InvalidConfigError } from "../errors.js";
import { type ConfigSection, TOP_LEVEL } from "./settings.js";
import { sentence, suggest } from "./text.js";

export type FileConfig = Record<string, unknown>;

export async function readConfigFile(
  file: string,
  sections: Record<string, ConfigSection>,
): Promise<FileConfig> {
  const label = path.basename(file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new InvalidConfigError(
      `The configuration file ${file} cannot be read (${(error as NodeJS.ErrnoException).code}).`,
      {
        hint: "Check the path in COFFER_CONFIG_FILE (or --config), or unset it to use environment variables only.",
        details: { file },
      },
    );
  }
  // Loaded only when there is a file to read: most starts have none, and the parser is large.
  const { parseDocument } = await import("yaml");
  const document = parseDocument(text, { prettyErrors: true });
  const first = document.errors[0];
  if (first) {
    const where = first.linePos?.[0] ? ` at line ${first.linePos[0].line}` : "";
    const problem = sentence(first.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, ""));
    throw new InvalidConfigError(`The configuration file ${label} is not valid YAML${where}: ${problem}`, {
      hint: "Fix the YAML syntax (indentation, quoting) and start again.",
      details: { file },
    });
  }
  const content: unknown = document.toJS() ?? {};
  if (content === null || typeof content !== "object" || Array.isArray(content)) {
    throw new InvalidConfigError(`The configuration file ${label} must be a mapping of settings.`, {
      hint: "Start it with settings such as 'store:' and 'databaseUrl:'.",
      details: { file },
    });
  }
  checkSettingNames(Object.keys(content), file, sections);
  const config = content as FileConfig;
  for (const key of ["store", "backupStore"] as const) checkStoreSection(config[key], key, file);
  return config;
}

function checkSettingNames(keys: string[], file: string, sections: Record<string, ConfigSection>): void {
  const label = path.basename(file);
  const known = [...Object.keys(TOP_LEVEL), "store", "backupStore", ...Object.keys(sections)];
  for (const key of keys) {
    if (key === "stores" || key === "primaryStores") {
      throw new InvalidConfigError(
        `${label} lists several stores under '${key}'; Coffer has exactly one primary store.`,
        {
          hint: "Configure one primary store under 'store:' and, for a second copy, one under 'backupStore:'.",
          details: { file, setting: key },
        },
      );
    }
    if (!known.includes(key)) {
      throw new InvalidConfigError(`'${key}' in ${label} is not a Coffer setting.`, {
        hint: `Remove it, or use one of: ${known.join(", ")}.${suggest(key, known)}`,
        details: { file, setting: key },
      });
    }
  }
}

function checkStoreSection(section: unknown, key: "store" | "backupStore", file: string): void {
  const label = path.basename(file);
  if (section === undefined || section === null) return;
  if (Array.isArray(section)) {
    throw new InvalidConfigError(
      `'${key}' in ${label} is a list; Coffer has exactly one ${key === "store" ? "primary store" : "backup store"}.`,
      {
        hint: `Write ${key}: as a single mapping with a 'type' and that store's options.`,
        details: { file, setting: key },
      },
    );
  }
  if (typeof section !== "object") {
    throw new InvalidConfigError(`'${key}' in ${label} must be a mapping with a 'type'.`, {
      hint: `Write it as a mapping, e.g. '${key}: { type: sql }'.`,
      details: { file, setting: key },
    });
  }
}

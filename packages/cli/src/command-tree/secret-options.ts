/**
 * Options and help text that several `coffer secret …` commands share (secret.ts, secret-files.ts).
 */
import { collect, type OptionSpec, parseBoolean } from "./spec.js";

export const selectPrivate: OptionSpec = {
  flags: "-p, --private <true|false>",
  description:
    "which of two secrets of this name: your private one (true) or the public one (false); default: private first",
  parse: parseBoolean,
};

/** The forms `get --format` and `export` write values in (src/secret-formats.ts; env-formats.ts). */
export const FORMATS = ["json", "yaml", "dotenv", "shell"];

export const allowEnv: OptionSpec = {
  flags: "--allow-env <names>",
  description:
    "with --format dotenv|shell: write these variables although they change how programs load or run (as coffer run; repeatable)",
  parse: collect,
};

/** What --format dotenv and shell do with keys, for the help of get and export. */
export const ENV_FORMAT_HELP = `--format dotenv writes NAME='value' lines, --format shell export NAME='value'
lines to eval or source; each key becomes a variable as for coffer run (smtp.host -> SMTP_HOST).
A key with no letter or digit, or two keys that become one variable, is a usage error (exit 2)
and nothing is written; a variable coffer run refuses (PATH, LD_PRELOAD, …) is refused (exit 5)
unless --allow-env names it.`;

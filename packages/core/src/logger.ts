/**
 * A small structured logger. Fields are value-free facts (ids, names, durations); callers never
 * pass secret values. Fields whose names look like credentials are masked anyway, as a backstop.
 */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const SENSITIVE_FIELD = /(secret|token|password|passwd|credential|private.?key|encryption.?key|values?)$/i;

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; standard error by default. */
  write?: (line: string) => void;
  /** Extra fields on every line (e.g. the component name). */
  base?: LogFields;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = order[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const emit = (level: Exclude<LogLevel, "silent">, message: string, fields?: LogFields) => {
    if (order[level] < threshold) return;
    write(
      JSON.stringify({ time: new Date().toISOString(), level, message, ...options.base, ...mask(fields) }),
    );
  };
  return {
    debug: (message, fields) => emit("debug", message, fields),
    info: (message, fields) => emit("info", message, fields),
    warn: (message, fields) => emit("warn", message, fields),
    error: (message, fields) => emit("error", message, fields),
  };
}

export const silentLogger: Logger = createLogger({ level: "silent" });

function mask(fields: LogFields | undefined): LogFields {
  if (!fields) return {};
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = SENSITIVE_FIELD.test(key) && value !== undefined ? "[redacted]" : value;
  }
  return out;
}

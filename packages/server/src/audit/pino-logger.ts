/**
 * Coffer's own log lines through pino, fastify's logger, so the server writes one structured
 * format: request lines and the service's lines alike are pino JSON (`level`, `time`, `msg`).
 * The fields still pass through core's logger first, which masks any whose name looks like a
 * credential (the backstop stays in one place).
 */
import { createLogger, type Logger, type LogLevel } from "@coffer/core";
import type { Logger as PinoLogger } from "pino";

export function pinoBackedLogger(pino: PinoLogger, level: LogLevel): Logger {
  return createLogger({
    level,
    write(line) {
      const {
        level: lineLevel,
        message,
        time: _time,
        ...fields
      } = JSON.parse(line) as Record<string, unknown>;
      const method =
        (["debug", "info", "warn", "error"] as const).find((each) => each === lineLevel) ?? "info";
      pino[method](fields, String(message));
    },
  });
}

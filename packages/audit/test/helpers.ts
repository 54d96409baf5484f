// Shared by the audit tests: a keyring, a trail over real sinks, and a few recorded events.
import { randomBytes } from "node:crypto";
import { createLogger, type LogFields } from "@coffer/core";
import { Keyring } from "@coffer/sql";
import { type AuditEvent, AuditTrail, type SinkEntry } from "../src/index.js";

export function testKeyring(): Keyring {
  return new Keyring("m1", new Map([["m1", randomBytes(32)]]));
}

export function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: LogFields[] } {
  const lines: LogFields[] = [];
  return { logger: createLogger({ level: "debug", write: (line) => lines.push(JSON.parse(line)) }), lines };
}

export function event(n: number): AuditEvent {
  return {
    action: "secret.read",
    actor: { id: "user:aaaa", name: "alice", tokenId: "tok-1" },
    origin: { kind: "server", address: "127.0.0.1", userAgent: "test" },
    target: { secretId: `id-${n}`, name: `db-${n}`, version: n },
    outcome: "ok",
    requestId: `req-${n}`,
  };
}

export async function trailWith(
  sinks: SinkEntry[],
  keyring: Keyring,
  options: { checkpointEvery?: number; clock?: () => number; retentionDays?: number } = {},
): Promise<AuditTrail> {
  return AuditTrail.open({ sinks, keys: keyring, logger: capturingLogger().logger, ...options });
}

export async function recordN(trail: AuditTrail, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await trail.record(event(i));
}

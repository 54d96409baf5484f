/**
 * `secret watch NAME`: prints each change of a secret as it happens (the change feed, through
 * client.watch: remote mode reconnects and resumes by itself), until Ctrl-C or `--count` events.
 * Never values: what changed, which version, who owns it, when. `--json` prints one JSON object a
 * line (JSON Lines), so that a script can read the events as they come.
 */
import type { WatchEvent } from "@coffer/client";
import type { Command } from "commander";
import type { Context } from "../context.js";

export async function watch(context: Context, command: Command): Promise<void> {
  const [name] = command.args as [string];
  const options = command.opts<{ since?: number; count?: number }>();
  const client = await context.client();
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  let printed = 0;
  try {
    const events = client.watch(name, {
      signal: controller.signal,
      ...(options.since !== undefined ? { since: options.since } : {}),
      // On stderr, so that stdout holds only events: scripts and tests wait for this line.
      onReady: (position) =>
        process.stderr.write(`Watching '${name}' from event ${position} (Ctrl-C to stop).\n`),
    });
    for await (const event of events) {
      process.stdout.write(`${context.json ? JSON.stringify(eventJson(event)) : describe(event)}\n`);
      if (options.count !== undefined && ++printed >= options.count) break;
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

function eventJson(event: WatchEvent) {
  return event.kind === "reset" ? event : { ...event, at: event.at.toISOString() };
}

/** "2026-12-07T15:40:02Z  #42  update  db  version 3  (alice)" */
function describe(event: WatchEvent): string {
  if (event.kind === "reset") {
    return `#${event.id}  reset: events were missed (no longer kept); re-read what you depend on`;
  }
  const parts = [event.at.toISOString().replace(/\.\d+Z$/, "Z"), `#${event.id}`, event.action, event.name];
  if (event.previousName !== undefined) parts.push(`(was '${event.previousName}')`);
  if (event.version !== undefined) parts.push(`version ${event.version}`);
  if (event.private !== undefined) parts.push(event.private ? "private" : "public");
  if (event.owner !== undefined) parts.push(`owner ${event.owner}`);
  return parts.join("  ");
}

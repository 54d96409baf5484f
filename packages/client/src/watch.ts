/**
 * `client.watch()`: the change feed as an async iterator (issue 19). Remote mode reads the server's
 * GET /api/v1/events (Server-Sent Events, parsed by eventsource-parser) and, when the connection
 * drops or the server ends the stream (a shutdown, the stream's time limit), reconnects with a
 * growing delay and resumes from the last event id it saw — so a reconnect loses no event and
 * repeats none. Local mode follows the embedded service's feed directly.
 *
 * Events never carry values. `reset` means events were missed (the position was pruned, or
 * belongs to another database): re-read whatever you cache, then carry on.
 */
import { isCofferError } from "@coffer/core";
import { EventSourceParserStream } from "eventsource-parser/stream";
import type { ServerConnection } from "./server-connection.js";

export type WatchAction = "create" | "update" | "rollback" | "rename" | "visibility" | "delete" | "hidden";

/** One change of a secret, as the caller may see it (see the server's GET /api/v1/events). */
export interface SecretChange {
  kind: "change";
  /** The event id: pass it as `since` to resume after it. */
  id: number;
  secretId: string;
  /** `hidden`: a public secret became private and is gone from your view, like a delete. */
  action: WatchAction;
  name: string;
  /** On a rename: the name before. */
  previousName?: string;
  /** The owner's user name (remote) or id (local); absent on `hidden`. */
  owner?: string;
  private?: boolean;
  version?: number;
  at: Date;
}

/** Events were missed: re-read what you cache; the feed carries on after `id`. */
export interface FeedReset {
  kind: "reset";
  id: number;
}

export type WatchEvent = SecretChange | FeedReset;

export interface WatchOptions {
  /** Resume after this event id (default: from now). */
  since?: number;
  /** Ends the iteration. */
  signal?: AbortSignal;
  /** Called once the watch follows the feed from now (without `since`), with that position. */
  onReady?: (position: number) => void;
}

/** What watch() takes: one secret's name, several, or none (every change you may see). */
export type WatchFilter = string | string[] | { names?: string[] } | undefined;

export function namesOf(filter: WatchFilter): string[] | undefined {
  if (filter === undefined) return undefined;
  if (typeof filter === "string") return [filter];
  if (Array.isArray(filter)) return filter;
  return filter.names;
}

export function matches(event: WatchEvent, names: string[] | undefined): boolean {
  if (!names || event.kind === "reset") return true;
  return (
    names.includes(event.name) || (event.previousName !== undefined && names.includes(event.previousName))
  );
}

const FIRST_RETRY_MS = 250;
const LONGEST_RETRY_MS = 5_000;

/**
 * Follows the server's event stream, reconnecting until `signal` aborts. An error the server
 * answers with (401, 403, 400) ends the iteration with that typed error: retrying would not help.
 */
export async function* remoteChanges(
  server: ServerConnection,
  names: string[] | undefined,
  options: WatchOptions,
): AsyncGenerator<WatchEvent> {
  const signal = options.signal ?? new AbortController().signal;
  let last = options.since;
  let retryMs = FIRST_RETRY_MS;
  // One name is filtered by the server (less traffic); several by this client.
  const query = names?.length === 1 ? `?name=${encodeURIComponent(names[0]!)}` : "";
  while (!signal.aborted) {
    try {
      const response = await server.raw("GET", `/api/v1/events${query}`, {
        headers: {
          accept: "text/event-stream",
          ...(last !== undefined ? { "last-event-id": String(last) } : {}),
        },
        signal,
      });
      const events = response
        .body!.pipeThrough(new TextDecoderStream())
        .pipeThrough(new EventSourceParserStream())
        [Symbol.asyncIterator]();
      for await (const message of { [Symbol.asyncIterator]: () => events }) {
        retryMs = FIRST_RETRY_MS;
        const id = message.id ? Number(message.id) : undefined;
        if (id !== undefined) last = id;
        if (message.event === "change") {
          const event = toChange(JSON.parse(message.data));
          if (matches(event, names)) yield event;
        } else if (message.event === "ready" && id !== undefined) {
          options.onReady?.(id);
        } else if (message.event === "reset" && id !== undefined) {
          yield { kind: "reset", id };
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      if (isCofferError(error) && !error.retryable) throw error;
      // A dropped connection or an unavailable server: wait, then resume from `last`.
    }
    if (signal.aborted) return;
    await sleep(retryMs, signal);
    retryMs = Math.min(retryMs * 2, LONGEST_RETRY_MS);
  }
}

function toChange(data: Record<string, unknown>): SecretChange {
  return {
    kind: "change",
    id: Number(data.id),
    secretId: String(data.secretId),
    action: data.action as WatchAction,
    name: String(data.name),
    ...(typeof data.previousName === "string" ? { previousName: data.previousName } : {}),
    ...(typeof data.owner === "string" ? { owner: data.owner } : {}),
    ...(typeof data.private === "boolean" ? { private: data.private } : {}),
    ...(typeof data.version === "number" ? { version: data.version } : {}),
    at: new Date(String(data.at)),
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

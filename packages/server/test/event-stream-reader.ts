// Reads GET /api/v1/events over a real socket (node:http) with eventsource-parser: the events in
// arrival order, each awaited with a deadline so that a missing event fails the test, not hangs it.
import http from "node:http";
import { Readable } from "node:stream";
import { type EventSourceMessage, EventSourceParserStream } from "eventsource-parser/stream";

/** An event as parsed, with when it arrived (performance.now()). */
export type ReceivedEvent = EventSourceMessage & { receivedAt: number };

export interface EventStream {
  status: number;
  headers: Headers;
  /** The next event of one of `types` (heartbeats are skipped unless asked for). */
  next(types?: string[], timeoutMs?: number): Promise<ReceivedEvent>;
  /** Every event of `types` that arrives within `ms`. */
  collect(ms: number, types?: string[]): Promise<ReceivedEvent[]>;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  close(): void;
}

export async function openEventStream(
  baseUrl: string,
  token: string | undefined,
  options: { query?: string; lastEventId?: string } = {},
): Promise<EventStream> {
  // node:http rather than fetch: closing destroys this stream's socket and nothing else (fetch's
  // pool keeps connections that a server shutdown then waits for).
  const url = new URL(`${baseUrl}/api/v1/events${options.query ? `?${options.query}` : ""}`);
  const request = http.get(url, {
    agent: false,
    headers: {
      accept: "text/event-stream",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.lastEventId !== undefined ? { "last-event-id": options.lastEventId } : {}),
    },
  });
  const incoming = await new Promise<http.IncomingMessage>((resolve, reject) => {
    request.once("response", resolve);
    request.once("error", reject);
  });
  const headers = new Headers();
  for (const [key, value] of Object.entries(incoming.headers))
    if (typeof value === "string") headers.set(key, value);
  const response = {
    ok: incoming.statusCode === 200,
    status: incoming.statusCode ?? 0,
    headers,
    body: Readable.toWeb(incoming) as ReadableStream<Uint8Array>,
  };
  const controller = { abort: () => request.destroy() };
  const queue: ReceivedEvent[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  let resolveEnded!: () => void;
  const ended = new Promise<void>((resolve) => (resolveEnded = resolve));
  if (response.ok && response.body) {
    const reader = response.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream())
      .getReader();
    void (async () => {
      try {
        for (;;) {
          const { value, done: finished } = await reader.read();
          if (finished) break;
          queue.push(Object.assign(value, { receivedAt: performance.now() }));
          wake?.();
        }
      } catch {
        // aborted by close()
      } finally {
        done = true;
        wake?.();
        resolveEnded();
      }
    })();
  } else {
    incoming.resume();
    done = true;
    resolveEnded();
  }

  const take = (types: string[]) => {
    const index = queue.findIndex((event) => types.includes(event.event ?? "message"));
    return index < 0 ? undefined : queue.splice(index, 1)[0];
  };

  return {
    status: response.status,
    headers: response.headers,
    ended,
    async next(types = ["ready", "change", "reset"], timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = take(types);
        if (found) return found;
        if (done) throw new Error(`the stream ended before an event of ${types.join("/")}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no event of ${types.join("/")} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    async collect(ms, types = ["change", "reset"]) {
      await new Promise((resolve) => setTimeout(resolve, ms));
      const found: ReceivedEvent[] = [];
      for (let event = take(types); event; event = take(types)) found.push(event);
      return found;
    },
    close() {
      controller.abort();
    },
  };
}

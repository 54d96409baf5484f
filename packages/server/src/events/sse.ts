/**
 * Server-Sent Events framing (text/event-stream, the WHATWG HTML "server-sent events" format):
 * each event is `id:`, `event:` and `data:` lines and a blank line. Data is JSON, which has no
 * raw newline in it, so one `data:` line always holds it whole.
 */

export function sseEvent(type: string, id: number | undefined, data: unknown): string {
  const lines = [];
  if (id !== undefined) lines.push(`id: ${id}`);
  lines.push(`event: ${type}`, `data: ${JSON.stringify(data)}`);
  return `${lines.join("\n")}\n\n`;
}

/** A comment line: ignored by parsers, it keeps proxies and idle timers from closing the stream. */
export function sseComment(text: string): string {
  return `: ${text}\n\n`;
}

/** How long a client waits before reconnecting (EventSource's `retry:` field). */
export function sseRetry(ms: number): string {
  return `retry: ${Math.round(ms)}\n\n`;
}

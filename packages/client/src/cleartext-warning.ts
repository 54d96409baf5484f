/**
 * A token sent over plain http:// to another machine can be read (and replayed) by anyone on the
 * path. The client still sends it — a lab or a trusted network may be fine — but says so, once
 * per server origin and process, on the logger or else on standard error. Loopback addresses
 * never leave the machine, so they are not warned about.
 */
import type { Logger } from "@coffer/core";

const warned = new Set<string>();

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host === "::1" ||
    /^127(\.\d{1,3}){3}$/.test(host) ||
    /^::ffff:127(\.\d{1,3}){3}$/.test(host)
  );
}

/** Warns (once per origin) when `url` would carry a token in clear text off this machine. */
export function warnIfCleartext(url: URL, logger?: Logger): void {
  if (url.protocol !== "http:" || isLoopbackHost(url.hostname) || warned.has(url.origin)) return;
  warned.add(url.origin);
  const message = `Sending the API token to ${url.origin} over plain HTTP: anyone on the network path can read it.`;
  const hint =
    "Use https:// (the server serves HTTPS with COFFER_SERVER_TLS_CERT/KEY, or behind a TLS proxy).";
  if (logger) logger.warn(message, { hint });
  else process.stderr.write(`coffer: warning: ${message} ${hint}\n`);
}

/**
 * A token sent over plain http:// to another machine can be read (and replayed) by anyone on the
 * path, so the client refuses to send it there — before a byte leaves — unless told that the
 * network is trusted (`insecure: true`, `coffer --insecure`, COFFER_INSECURE=1); then it sends it
 * and warns, once per server origin and process. Loopback never leaves the machine: 127.0.0.0/8,
 * ::1 (also written as an IPv4-mapped 127.x address) and the name `localhost` are always allowed.
 * Other names are not trusted to be loopback (`foo.localhost`, a hosts-file alias): DNS or a hosts
 * file can point them anywhere, and the client cannot tell without resolving them.
 */
import net from "node:net";
import { InvalidConfigError, type Logger } from "@coffer/core";

/** The token would cross the network in clear text: refused unless told the network is trusted. */
export class CleartextTokenError extends InvalidConfigError {}

// Made on first use, off the module (the CLI's bundle reads getters such as BlockList off it).
let loopback: net.BlockList | undefined;
function loopbackAddresses(): net.BlockList {
  if (!loopback) {
    loopback = new net.BlockList();
    loopback.addSubnet("127.0.0.0", 8, "ipv4");
    loopback.addAddress("::1", "ipv6");
  }
  return loopback;
}

/** Whether `hostname` (a URL's, brackets and all) is this machine by its address or as `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost") return true;
  const family = net.isIP(host);
  // BlockList checks an IPv4-mapped IPv6 address (::ffff:7f00:1) against the IPv4 subnet too.
  return family !== 0 && loopbackAddresses().check(host, family === 4 ? "ipv4" : "ipv6");
}

/** The refusal for sending a token to `url`, or undefined when it may go (https, loopback, insecure). */
export function cleartextRefusal(url: URL, insecure: boolean): CleartextTokenError | undefined {
  if (url.protocol !== "http:" || insecure || isLoopbackHost(url.hostname)) return undefined;
  return new CleartextTokenError(
    `Refusing to send the API token to ${url.origin} over plain HTTP: anyone on the network path could read it.`,
    {
      hint: "Use https:// (the server serves HTTPS with COFFER_SERVER_TLS_CERT/KEY, or put it behind a TLS proxy). On a network you trust, pass --insecure (coffer), insecure: true (createClient) or set COFFER_INSECURE=1.",
      details: { variable: "COFFER_URL", url: url.origin, reason: "cleartext-token" },
    },
  );
}

/** COFFER_INSECURE: true/1/yes/on or false/0/no/off (unset or empty: false). */
export function insecureFromEnv(env: Record<string, string | undefined> = process.env): boolean {
  const text = (env.COFFER_INSECURE ?? "").trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(text)) return true;
  if (["false", "0", "no", "off", ""].includes(text)) return false;
  throw new InvalidConfigError("COFFER_INSECURE must be true or false.", {
    hint: "Set COFFER_INSECURE=1 to allow a token over plain http:// to another machine, or unset it.",
    details: { variable: "COFFER_INSECURE" },
  });
}

const warned = new Set<string>();

/** Warns (once per origin) when an allowed `url` carries a token in clear text off this machine. */
export function warnIfCleartext(url: URL, logger?: Logger): void {
  if (url.protocol !== "http:" || isLoopbackHost(url.hostname) || warned.has(url.origin)) return;
  warned.add(url.origin);
  const message = `Sending the API token to ${url.origin} over plain HTTP (insecure allowed): anyone on the network path can read it.`;
  const hint =
    "Use https:// (the server serves HTTPS with COFFER_SERVER_TLS_CERT/KEY, or behind a TLS proxy).";
  if (logger) logger.warn(message, { hint });
  else process.stderr.write(`coffer: warning: ${message} ${hint}\n`);
}

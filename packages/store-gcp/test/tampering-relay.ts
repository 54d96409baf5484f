// A TCP relay that damages data on its way back to the client: every occurrence of `from` in what
// the server sends is replaced by `to` (same length, so gRPC and HTTP/2 framing stay intact). Over
// plain-text gRPC the payload bytes travel as they are, so this is a bit flip on the wire that only
// the payload checksum can catch.
import { connect, createServer, type Socket } from "node:net";

export interface TamperingRelay {
  port: number;
  /** How many occurrences were replaced so far. */
  readonly replaced: number;
  close(): Promise<void>;
}

export async function startTamperingRelay(
  targetPort: number,
  from: string,
  to: string,
): Promise<TamperingRelay> {
  const needle = Buffer.from(from);
  const replacement = Buffer.from(to);
  if (needle.length !== replacement.length) throw new Error("from and to must have the same length");
  let replaced = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on("data", (chunk: Buffer) => {
      // A small message arrives in one chunk; the test checks `replaced` to be sure it happened.
      for (let at = chunk.indexOf(needle); at !== -1; at = chunk.indexOf(needle, at + 1)) {
        replacement.copy(chunk, at);
        replaced++;
      }
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on("close", end).on("error", end);
    client.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    get replaced() {
      return replaced;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// A plain HTTP proxy on 127.0.0.1 in front of a test server: counts the requests that read values
// (what a cache must save), can add a delay (to hold reads in flight), and can go down and come
// back on the same port (a client behind it sees "connection refused", as with a stopped server).
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface CountingProxy {
  readonly url: string;
  /** GET requests that asked for values (`values=true`). */
  valueReads: number;
  /** Milliseconds each request waits before it is forwarded. */
  delayMs: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  // A bounded pool upstream, and a deep accept queue: 1,000 uncached concurrent reads must queue,
  // not be reset.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const server = http.createServer((request, response) => {
    if (request.method === "GET" && request.url?.includes("values=true")) proxy.valueReads++;
    setTimeout(() => {
      const forward = http.request(
        {
          agent,
          host: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers: request.headers,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      forward.on("error", () => response.destroy());
      request.pipe(forward);
    }, proxy.delayMs);
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, resolve));
  const port = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  const proxy: CountingProxy = {
    url: `http://127.0.0.1:${port}`,
    valueReads: 0,
    delayMs: 0,
    down: stop,
    up: () =>
      new Promise<void>((resolve) => server.listen({ port, host: "127.0.0.1", backlog: 4096 }, resolve)),
    close: async () => {
      if (server.listening) await stop();
      agent.destroy();
    },
  };
  return proxy;
}

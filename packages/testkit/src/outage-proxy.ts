/**
 * A loopback HTTP proxy in front of a backend that can start an outage at an exact request: just
 * before it (the request never arrives) or just after it (the backend applied it, the answer is
 * lost). From then on every request's connection is dropped unanswered, as in a network outage,
 * until `restore()`. The client under test talks real HTTP to it (or HTTPS, given a key and a
 * certificate: then it is also the TLS front of a backend that has none); the backend is untouched.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { Socket } from "node:net";

export interface RequestSeen {
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** The request body, as text. */
  body: string;
}

export type CutPoint = "before" | "after";

export class OutageProxy {
  #down = false;
  #cut: { matches: (request: RequestSeen) => boolean; point: CutPoint } | undefined;
  readonly #sockets = new Set<Socket>();
  readonly seen: RequestSeen[] = [];
  /** Client connections accepted so far (TLS handshakes, with TLS). */
  connections = 0;

  readonly url: string;
  readonly #server: Server;
  readonly #target: URL;

  private constructor(server: Server, target: URL, url: string) {
    this.#server = server;
    this.#target = target;
    this.url = url;
  }

  static async start(target: string, tls?: { key: string; cert: string }): Promise<OutageProxy> {
    let proxy: OutageProxy | undefined;
    const handler = (incoming: IncomingMessage, answer: ServerResponse) => {
      proxy!.#handle(incoming, answer).catch(() => incoming.socket.destroy());
    };
    const server = tls ? createTlsServer(tls, handler) : createServer(handler);
    server.on("connection", (socket: Socket) => {
      if (!proxy) return;
      proxy.#track(socket);
      if (!tls) proxy.connections++;
    });
    server.on("secureConnection", () => {
      if (proxy) proxy.connections++;
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (!address || typeof address !== "object") throw new Error("the proxy did not get a port");
    const scheme = tls ? "https" : "http";
    proxy = new OutageProxy(server, new URL(target), `${scheme}://127.0.0.1:${address.port}`);
    return proxy;
  }

  /** The outage starts at the next request `matches` accepts, before or after it is applied. */
  cutAt(point: CutPoint, matches: (request: RequestSeen) => boolean): void {
    this.#cut = { matches, point };
  }

  get down(): boolean {
    return this.#down;
  }

  /** Ends the outage (and forgets any pending cut). */
  restore(): void {
    this.#down = false;
    this.#cut = undefined;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on("close", () => this.#sockets.delete(socket));
  }

  async #handle(incoming: IncomingMessage, answer: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const seen = { method: incoming.method ?? "GET", url: incoming.url ?? "/", body: body.toString("utf8") };
    this.seen.push(seen);
    const cutHere = !this.#down && this.#cut?.matches(seen) === true;
    if (this.#down || (cutHere && this.#cut?.point === "before")) {
      this.#down = true;
      incoming.socket.destroy();
      return;
    }
    const forwarded = await this.#forward(incoming, body);
    if (cutHere) {
      // Applied by the backend; the client never hears of it.
      this.#down = true;
      incoming.socket.destroy();
      return;
    }
    answer.writeHead(forwarded.status, forwarded.headers);
    answer.end(forwarded.body);
  }

  #forward(incoming: IncomingMessage, body: Buffer) {
    return new Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }>(
      (resolve, reject) => {
        const headers = { ...incoming.headers };
        delete headers.connection;
        const outgoing = request(
          {
            host: this.#target.hostname,
            port: this.#target.port,
            method: incoming.method,
            path: incoming.url,
            headers,
          },
          async (response) => {
            const parts: Buffer[] = [];
            for await (const part of response) parts.push(part as Buffer);
            const responseHeaders: Record<string, string | string[]> = {};
            for (const [name, value] of Object.entries(response.headers)) {
              if (value !== undefined && name !== "connection" && name !== "keep-alive") {
                responseHeaders[name] = value;
              }
            }
            resolve({
              status: response.statusCode ?? 502,
              headers: responseHeaders,
              body: Buffer.concat(parts),
            });
          },
        );
        outgoing.on("error", reject);
        outgoing.end(body);
      },
    );
  }
}

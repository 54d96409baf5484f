/**
 * Outages on demand, shared by the emulators: suspend and resume a listener on the same port
 * while the emulator's state stays as it was, so tests can check what clients do when the
 * backend goes away and comes back.
 */
import type { Server, Socket } from "node:net";

/**
 * Owns a listening `net.Server` (an `http.Server` is one) and gives it the outage controls every
 * emulator exposes: `suspend()` closes the listener and drops every open socket so clients see
 * "connection refused" / "socket hang up", `resume()` listens again on the same port. The request
 * handlers, and therefore all emulator state, are untouched by either.
 */
export class SuspendableListener {
  readonly #server: Server;
  readonly #host: string;
  readonly #sockets = new Set<Socket>();
  #port: number;
  #listening = false;
  #stopped = false;

  private constructor(server: Server, host: string, port: number) {
    this.#server = server;
    this.#host = host;
    this.#port = port;
    server.on("connection", (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once("close", () => this.#sockets.delete(socket));
    });
  }

  /** Starts listening; resolves once bound (port 0 picks a free port, kept for every resume). */
  static async listen(server: Server, host: string, port: number): Promise<SuspendableListener> {
    const listener = new SuspendableListener(server, host, port);
    await listener.#listen();
    return listener;
  }

  get port(): number {
    return this.#port;
  }

  /** `http://host:port`, with IPv6 literals bracketed. */
  get url(): string {
    const host = this.#host.includes(":") ? `[${this.#host}]` : this.#host;
    return `http://${host}:${this.#port}`;
  }

  async suspend(): Promise<void> {
    if (!this.#listening) return;
    this.#listening = false;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await closed;
  }

  async resume(): Promise<void> {
    if (this.#stopped) throw new Error("emulator was stopped; start a new one");
    if (this.#listening) return;
    await this.#listen();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.suspend();
  }

  #listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.#server.once("error", onError);
      this.#server.listen(this.#port, this.#host, () => {
        this.#server.off("error", onError);
        const address = this.#server.address();
        if (address && typeof address === "object") this.#port = address.port;
        this.#listening = true;
        resolve();
      });
    });
  }
}

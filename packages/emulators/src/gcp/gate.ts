// The public port of the gRPC emulator is a plain TCP relay to the gRPC server, which listens on
// an ephemeral loopback port. Why: an outage has to look like one. grpc-js's forceShutdown()
// cancels open streams with an HTTP/2 CANCEL, which clients report as CANCELLED (not retryable);
// resetting the TCP connections instead gives clients what a crashed server or a dropped network
// gives them, UNAVAILABLE, while the gRPC server and its state stay up behind the relay.
import { connect, createServer, type Server, type Socket } from "node:net";

export class TcpGate {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly target: { host: string; port: number }) {}

  get isOpen(): boolean {
    return this.server !== undefined;
  }

  /** Starts accepting on host:port (0 picks a free port) and returns the port. */
  async open(host: string, port: number): Promise<number> {
    if (this.server) throw new Error("the gate is already open");
    const server = createServer((client) => this.relay(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    return (server.address() as { port: number }).port;
  }

  /** Stops accepting and resets every open connection. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise((resolve) => server.close(resolve));
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    await closed;
  }

  private relay(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const drop = () => {
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      if (!client.destroyed) client.resetAndDestroy();
      if (!upstream.destroyed) upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

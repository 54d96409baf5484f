/**
 * Lets node:http serve Vault's LIST method, which its HTTP parser refuses: a TCP-level shim in
 * front of http.Server rewrites LIST request lines to GET with a marker header.
 */
import type { Server as HttpServer, IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server as NetServer, type Socket } from "node:net";
import { Duplex } from "node:stream";

/**
 * Vault clients list keys with the HTTP method `LIST`. Node's HTTP parser (llhttp) has a fixed set
 * of methods without LIST and rejects such a request before any handler runs. This shim sits
 * between the TCP socket and `http.Server`: at the start of every request it looks at the request
 * line, and if the method is LIST it rewrites it to GET and adds the header
 * `x-emulator-original-method: LIST`, which the router reads back.
 *
 * "Start of a request" is tracked per connection: the first bytes of the connection, and the first
 * bytes after a response has finished. That is exact for HTTP/1.1 clients that wait for a response
 * before sending the next request (no pipelining), which is what Vault clients do. The request
 * handler must consume each request body before it responds, so no body bytes arrive after the
 * response; the Vault router always does.
 */
export const ORIGINAL_METHOD_HEADER = "x-emulator-original-method";

// A request line longer than this is not a LIST we can rewrite; pass it through for llhttp to judge.
const MAX_REQUEST_LINE = 16 * 1024;
const LIST_PREFIX = Buffer.from("LIST ", "latin1");

/** A duplex stream standing in for the TCP socket inside `http.Server`. */
class ShimmedSocket extends Duplex {
  #atRequestStart = true;
  #pending: Buffer = Buffer.alloc(0);

  constructor(readonly tcp: Socket) {
    super({ allowHalfOpen: true });
    tcp.on("data", (chunk: Buffer) => this.#onData(chunk));
    tcp.on("end", () => {
      this.#flushPending();
      this.push(null);
    });
    tcp.on("error", (error) => this.destroy(error));
    tcp.on("close", () => this.destroy());
    // http.Server listens for "timeout" on the socket it was given (keep-alive and request timeouts).
    tcp.on("timeout", () => this.emit("timeout"));
  }

  /** Called when a response has been completely written: the next bytes start a new request. */
  expectRequestLine(): void {
    this.#atRequestStart = true;
  }

  // The parts of the net.Socket API that http.Server calls.
  get remoteAddress() {
    return this.tcp.remoteAddress;
  }
  get remotePort() {
    return this.tcp.remotePort;
  }
  get localAddress() {
    return this.tcp.localAddress;
  }
  get localPort() {
    return this.tcp.localPort;
  }
  get remoteFamily() {
    return this.tcp.remoteFamily;
  }
  setTimeout(ms: number, callback?: () => void): this {
    if (callback) this.once("timeout", callback);
    this.tcp.setTimeout(ms);
    return this;
  }
  setNoDelay(noDelay?: boolean): this {
    this.tcp.setNoDelay(noDelay);
    return this;
  }
  setKeepAlive(enable?: boolean, delay?: number): this {
    this.tcp.setKeepAlive(enable, delay);
    return this;
  }

  override _read(): void {
    this.tcp.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.tcp.write(chunk, encoding, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.tcp.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.tcp.destroy();
    callback(error);
  }

  #onData(chunk: Buffer): void {
    if (!this.#atRequestStart) {
      this.#forward(chunk);
      return;
    }
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    // Leading CRLFs between requests are allowed by RFC 9112; they are not the request line.
    const start = leadingLineBreaks(this.#pending);
    const lineEnd = this.#pending.indexOf("\r\n", start);
    if (lineEnd < 0 && this.#pending.length < MAX_REQUEST_LINE) return; // wait for the whole line
    let data = this.#pending;
    if (lineEnd >= 0 && data.subarray(start, start + LIST_PREFIX.length).equals(LIST_PREFIX)) {
      data = Buffer.concat([
        data.subarray(0, start),
        Buffer.from("GET ", "latin1"),
        data.subarray(start + LIST_PREFIX.length, lineEnd),
        Buffer.from(`\r\n${ORIGINAL_METHOD_HEADER}: LIST`, "latin1"),
        data.subarray(lineEnd),
      ]);
    }
    this.#pending = Buffer.alloc(0);
    this.#atRequestStart = false;
    this.#forward(data);
  }

  #flushPending(): void {
    if (this.#pending.length > 0) {
      const data = this.#pending;
      this.#pending = Buffer.alloc(0);
      this.#forward(data);
    }
  }

  #forward(data: Buffer): void {
    if (!this.push(data)) this.tcp.pause();
  }
}

function leadingLineBreaks(buffer: Buffer): number {
  let index = 0;
  while (buffer[index] === 0x0d || buffer[index] === 0x0a) index++;
  return index;
}

/**
 * A TCP server that feeds `httpServer` through the LIST shim. Listen on the returned server; the
 * HTTP server itself never listens.
 */
export function createListShimServer(httpServer: HttpServer): NetServer {
  httpServer.on("request", (_request: IncomingMessage, response: ServerResponse) => {
    const socket = response.socket;
    response.once("finish", () => {
      if (socket instanceof ShimmedSocket) socket.expectRequestLine();
    });
  });
  return createServer((tcp) => {
    httpServer.emit("connection", new ShimmedSocket(tcp));
  });
}

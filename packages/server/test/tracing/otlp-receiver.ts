/**
 * A small OTLP/HTTP receiver for the tracing tests: a node:http server on 127.0.0.1 that
 * accepts POST /v1/traces the way a collector does (200 with an empty ExportTraceServiceResponse),
 * keeps every body's raw bytes (for the canary checks, which must hold for protobuf too: OTLP's
 * protobuf carries strings as plain UTF-8) and decodes OTLP/JSON bodies into flat spans.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** 1 internal, 2 server, 3 client (OTLP's SpanKind numbers). */
  kind: number;
  attributes: Record<string, string | number | boolean>;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  traceState: string;
  resource: Record<string, string | number | boolean>;
}

export interface ReceivedBody {
  path: string;
  contentType: string;
  bytes: Buffer;
}

export class OtlpReceiver {
  readonly bodies: ReceivedBody[] = [];
  /** While true, requests are read but not answered (a collector that hangs); see release(). */
  holding = false;
  readonly #held: Array<() => void> = [];
  #server: Server | undefined;
  url = "";

  async start(port = 0): Promise<this> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        this.bodies.push({
          path: request.url ?? "",
          contentType: String(request.headers["content-type"] ?? ""),
          bytes: Buffer.concat(chunks),
        });
        const json = String(request.headers["content-type"]).includes("json");
        const answer = () => {
          if (response.destroyed) return;
          response.writeHead(200, { "content-type": json ? "application/json" : "application/x-protobuf" });
          response.end(json ? "{}" : "");
        };
        if (this.holding) this.#held.push(answer);
        else answer();
      });
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    this.#server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** Answers the requests held so far, and every request from now on. */
  release(): void {
    this.holding = false;
    for (const answer of this.#held.splice(0)) answer();
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** Every byte received, as one buffer. */
  allBytes(): Buffer {
    return Buffer.concat(this.bodies.map((body) => body.bytes));
  }

  /** The spans of every OTLP/JSON body received so far. */
  spans(): ReceivedSpan[] {
    const spans: ReceivedSpan[] = [];
    for (const body of this.bodies) {
      if (!body.contentType.includes("json")) continue;
      const request = JSON.parse(body.bytes.toString("utf8")) as OtlpJsonRequest;
      for (const resourceSpans of request.resourceSpans ?? []) {
        const resource = flatten(resourceSpans.resource?.attributes);
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId ?? "",
              name: span.name,
              kind: span.kind,
              attributes: flatten(span.attributes),
              statusCode: span.status?.code ?? 0,
              traceState: span.traceState ?? "",
              resource,
            });
          }
        }
      }
    }
    return spans;
  }

  /** Waits until `check` finds what it wants in the spans received (polls; 10 s at most). */
  async waitFor<T>(check: (spans: ReceivedSpan[]) => T | undefined, what: string): Promise<T> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = check(this.spans());
      if (found !== undefined && found !== false) return found;
      if (Date.now() > deadline) throw new Error(`no ${what} arrived at the OTLP receiver within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

interface OtlpJsonRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        traceState?: string;
        name: string;
        kind: number;
        attributes?: OtlpAttribute[];
        status?: { code?: number };
      }>;
    }>;
  }>;
}

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string; boolValue?: boolean; doubleValue?: number };
}

function flatten(attributes: OtlpAttribute[] | undefined): Record<string, string | number | boolean> {
  const flat: Record<string, string | number | boolean> = {};
  for (const { key, value } of attributes ?? []) {
    if (value.stringValue !== undefined) flat[key] = value.stringValue;
    else if (value.intValue !== undefined) flat[key] = Number(value.intValue);
    else if (value.boolValue !== undefined) flat[key] = value.boolValue;
    else if (value.doubleValue !== undefined) flat[key] = value.doubleValue;
  }
  return flat;
}

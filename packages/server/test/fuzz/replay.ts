/**
 * Replays generated requests against one running server, filling in the run-time slots (secret
 * ids, token ids, the last cursor) from that server's own answers, and checks each answer: never
 * a 500, errors always in the documented shape, and nothing written by a refused request.
 */
import { Agent, request as httpRequest } from "node:http";
import type { InputTestServer } from "../input/servers.js";
import type { Auth, Body, FuzzRequest, Slot } from "./requests.js";

/** Error codes the API documents (README, OpenAPI description). */
const DOCUMENTED_CODES = new Set([
  "RATE_LIMITED",
  "VALIDATION",
  "UNAUTHENTICATED",
  "PERMISSION_DENIED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "VERSION_CONFLICT",
  "VALUE_TOO_LARGE",
  "NOT_SUPPORTED",
]);

export interface Outcome {
  status: number;
  /** The error code, for a refusal. */
  code?: string;
}

export interface Violation {
  index: number;
  problem: string;
  request: string;
  reply: string;
}

export interface RunResult {
  outcomes: Outcome[];
  violations: Violation[];
  byStatus: Record<number, number>;
  /** Each request as sent (method, URL, headers, body, shortened), for reports. */
  sent: string[];
  ms: number;
}

export type Tokens = Record<Exclude<Auth, "none" | "bad">, string>;

export async function replay(
  server: InputTestServer,
  tokens: Tokens,
  requests: readonly FuzzRequest[],
): Promise<RunResult> {
  const secrets: string[] = [];
  const tokenIds: string[] = [];
  let cursor: string | undefined;
  const outcomes: Outcome[] = [];
  const violations: Violation[] = [];
  const byStatus: Record<number, number> = {};
  const sent: string[] = [];
  const started = performance.now();
  let state = await server.snapshot();

  const fill = (slot: Slot): string => {
    switch (slot.kind) {
      case "text":
        return percentEncode(slot.value);
      case "raw":
        return slot.value;
      case "secret":
        return secrets.length
          ? secrets[slot.index % secrets.length]!
          : "00000000-0000-4000-8000-000000000001";
      case "token":
        return tokenIds.length ? tokenIds[slot.index % tokenIds.length]! : "nosuchtoken0";
      case "cursor":
        return cursor ?? "bm90LWEtY3Vyc29y";
      case "tampered-cursor": {
        if (!cursor) return "bm90LWEtY3Vyc29y";
        const [payload, mac] = cursor.split(".");
        const decoded = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as object;
        return `${Buffer.from(JSON.stringify({ ...decoded, k: slot.k })).toString("base64url")}.${mac}`;
      }
    }
  };

  for (const [index, request] of requests.entries()) {
    let path = request.route.path;
    for (const [param, slot] of Object.entries(request.params)) path = path.replace(`{${param}}`, fill(slot));
    const query = request.query.map(([name, slot]) => `${name}=${fill(slot)}`).join("&");
    const url = `${server.url}${path}${query ? `?${query}` : ""}`;
    const headers: Record<string, string> = { ...authHeader(request.auth, tokens) };
    if (revokesItsOwnToken(request) && headers.authorization !== undefined && request.auth !== "bad") {
      // DELETE /api/v1/me/token revokes the token it carries: sent with a setup token, every later
      // request of that user would be a 401. It gets a token of its own, made through the API
      // (any user may make their own), before the state the request is judged against.
      const made = await send(
        `${server.url}/api/v1/tokens`,
        "POST",
        { ...headers, "content-type": "application/json" },
        '{"description":"fuzz: revoked by DELETE /api/v1/me/token"}',
      );
      const own = (JSON.parse(made.text) as { token?: string }).token;
      if (own !== undefined) headers.authorization = `Bearer ${own}`;
      state = await server.snapshot();
    }
    const payload = bodyBytes(request.body);
    if (payload !== undefined) headers["content-type"] = "application/json";
    Object.assign(headers, request.headers);

    // A connection cut mid-answer is a violation of its own (status 0), named with its request,
    // rather than an exception that ends the run without saying which request did it.
    const { status, text } = await send(url, request.route.method, headers, payload).catch(
      (error: Error) => ({ status: 0, text: `connection error: ${error.message}` }),
    );
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    const describe = () => describeRequest(request, url);
    sent.push(`${describe()} → ${status} ${text.slice(0, 160)}`);
    const fail = (problem: string) =>
      violations.push({ index, problem, request: describe(), reply: `${status} ${text.slice(0, 300)}` });

    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const outcome: Outcome = { status };
    if (status === 0 || (status >= 500 && status !== 501)) fail(`answered ${status}`);
    if (status >= 400 || status === 0) {
      const code = documentedError(parsed);
      if (code === undefined) fail("the error body is not the documented { error: { code, message } }");
      else outcome.code = code;
      const after = await server.snapshot();
      if (after !== state) {
        fail("a refused request changed the stored state");
        state = after;
      }
    } else {
      state = await server.snapshot();
      remember(request, parsed, { secrets, tokenIds, setCursor: (value) => (cursor = value) });
    }
    outcomes.push(outcome);
  }
  return { outcomes, violations, byStatus, sent, ms: performance.now() - started };
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** node:http rather than fetch: a GET may carry a body here, and the URL goes out as written. */
function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  payload: Buffer | string | undefined,
): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method,
        path: url.slice(url.indexOf("/", url.indexOf("//") + 2)),
        headers:
          payload === undefined ? headers : { ...headers, "content-length": Buffer.byteLength(payload) },
        agent,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        const answer = () =>
          resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") });
        // An event stream (GET /api/v1/events) stays open: its status and first event are what is
        // checked, then the connection is closed, rather than waiting for the stream's time limit.
        const streaming = String(incoming.headers["content-type"] ?? "").startsWith("text/event-stream");
        const close = () => {
          clearTimeout(timer);
          answer();
          incoming.destroy();
        };
        const timer = streaming ? setTimeout(close, 500) : undefined;
        incoming.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          if (streaming && Buffer.concat(chunks).includes("\n\n")) close();
        });
        incoming.on("end", answer);
        incoming.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(payload);
  });
}

function remember(
  request: FuzzRequest,
  body: unknown,
  into: { secrets: string[]; tokenIds: string[]; setCursor: (value: string) => void },
): void {
  const { path, method } = request.route;
  const record = body as { id?: string; nextCursor?: string } | undefined;
  if (
    path.startsWith("/api/v1/secrets") &&
    typeof record?.id === "string" &&
    !into.secrets.includes(record.id)
  ) {
    into.secrets.push(record.id);
  }
  if (path === "/api/v1/tokens" && method === "POST" && typeof record?.id === "string")
    into.tokenIds.push(record.id);
  if (path === "/api/v1/secrets" && method === "GET" && typeof record?.nextCursor === "string") {
    into.setCursor(record.nextCursor);
  }
}

function documentedError(body: unknown): string | undefined {
  if (body === null || typeof body !== "object" || Object.keys(body).join() !== "error") return undefined;
  const error = (body as { error: Record<string, unknown> }).error;
  if (error === null || typeof error !== "object") return undefined;
  if (typeof error.code !== "string" || typeof error.message !== "string") return undefined;
  if (!DOCUMENTED_CODES.has(error.code)) return undefined;
  if (!Object.keys(error).every((key) => ["code", "message", "hint", "details", "retryable"].includes(key))) {
    return undefined;
  }
  return error.code;
}

function revokesItsOwnToken(request: FuzzRequest): boolean {
  return request.route.method === "DELETE" && request.route.path === "/api/v1/me/token";
}

function authHeader(auth: Auth, tokens: Tokens): Record<string, string> {
  if (auth === "none") return {};
  if (auth === "bad")
    return { authorization: "Bearer coffer_000000000000_not-a-real-token-at-all-0000000000000000" };
  return { authorization: `Bearer ${tokens[auth]}` };
}

function bodyBytes(body: Body): Buffer | string | undefined {
  switch (body.kind) {
    case "none":
      return undefined;
    case "json":
      return JSON.stringify(body.value) ?? "null";
    case "text":
      return body.text;
    case "invalid-utf8":
      return Buffer.concat([Buffer.from(body.before), Buffer.from([0xff, 0xfe]), Buffer.from(body.after)]);
  }
}

/**
 * encodeURIComponent, except that a lone surrogate (which it refuses) is encoded as the three
 * bytes WTF-8 gives it — exactly the invalid UTF-8 a hostile client would send.
 */
export function percentEncode(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join("");
    } else {
      out += encodeURIComponent(char);
    }
  }
  return out;
}

function describeRequest(request: FuzzRequest, url: string): string {
  const body =
    request.body.kind === "json"
      ? JSON.stringify(request.body.value)
      : request.body.kind === "text"
        ? request.body.text
        : request.body.kind === "invalid-utf8"
          ? `${request.body.before}<FF FE>${request.body.after}`
          : "";
  return `${request.auth} ${request.route.method} ${url.replace(/^https?:\/\/[^/]+/, "")} ${JSON.stringify(request.headers)} ${body.slice(0, 300)}`;
}

/**
 * One Coffer server, reached over HTTP with a bearer token: checks the URL, sends JSON requests,
 * and turns the server's answers back into values or into the typed errors it sent — typed errors
 * travel as `{ error: { code, message, hint, details } }` and are rebuilt into the same classes,
 * so a program cannot tell local from remote mode by the errors it catches.
 */
import {
  BackendUnavailableError,
  type CofferError,
  type ErrorBody,
  errorFromBody,
  InvalidConfigError,
  isErrorCode,
  type Logger,
  UnauthenticatedError,
  ValidationError,
} from "@coffer/core";
import { cleartextRefusal, warnIfCleartext } from "./cleartext-token.js";

export class ServerConnection {
  /** The server's URL without a trailing slash, as messages name it (as given when it is no URL). */
  readonly base: string;
  readonly #url: URL | undefined;
  readonly #token: string;
  readonly #logger: Logger | undefined;
  /** A configuration problem, thrown by every call: createClient() opens and so reports nothing. */
  readonly #problem: CofferError | undefined;

  constructor(options: {
    url: string;
    token: string;
    logger?: Logger | undefined;
    problem?: CofferError | undefined;
    /** Send the token over plain http:// to another machine too (cleartext-token.ts). */
    insecure?: boolean | undefined;
  }) {
    const checked = options.problem
      ? { problem: options.problem }
      : checkUrl(options.url, options.insecure ?? false);
    this.#url = "url" in checked ? checked.url : undefined;
    this.#problem = "problem" in checked ? checked.problem : undefined;
    this.base = (this.#url?.href ?? options.url).replace(/\/$/, "");
    this.#logger = options.logger;
    this.#token = options.token;
  }

  /** Throws the configuration problem, if any (a bad URL, a missing token); what connect() reports. */
  check(): void {
    if (this.#problem) throw this.#problem;
  }

  /**
   * Sends one request with a raw body or expecting a raw answer (backup download, restore upload);
   * the response when it is 2xx, else the error it stands for.
   */
  async raw(
    method: string,
    route: string,
    init: {
      body?: ReadableStream<Uint8Array>;
      json?: unknown;
      headers?: Record<string, string>;
      signal?: AbortSignal;
    },
  ): Promise<Response> {
    this.check();
    if (!this.#url) throw new Error("unreachable: a connection without a URL has a problem");
    warnIfCleartext(this.#url, this.#logger);
    let response: Response;
    try {
      response = await fetch(`${this.base}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          ...(init.json !== undefined ? { "content-type": "application/json" } : {}),
          ...(init.body !== undefined ? { "content-type": "application/octet-stream" } : {}),
          ...init.headers,
        },
        ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
        ...(init.body !== undefined ? { body: init.body, duplex: "half" } : {}),
        ...(init.signal ? { signal: init.signal } : {}),
      } as RequestInit);
    } catch (error) {
      throw new BackendUnavailableError(`The Coffer server at ${this.base} cannot be reached.`, {
        hint: "Check COFFER_URL and that the server is running.",
        details: { url: this.base },
        cause: error,
      });
    }
    if (response.ok) return response;
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    throw toError(response.status, parsed, this.base);
  }

  /** Sends one request; the parsed JSON answer, or the error the answer stands for. */
  async call<T>(
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    this.check();
    if (!this.#url) throw new Error("unreachable: a connection without a URL has a problem");
    warnIfCleartext(this.#url, this.#logger);
    let response: Response;
    try {
      response = await fetch(`${this.base}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          accept: "application/json",
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw new BackendUnavailableError(`The Coffer server at ${this.base} cannot be reached.`, {
        hint: "Check COFFER_URL and that the server is running; `coffer store info` shows what the client uses.",
        details: { url: this.base },
        cause: error,
      });
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (response.ok) return parsed as T;
    throw toError(response.status, parsed, this.base);
  }
}

/**
 * The server URL parsed, or the configuration problem with it — a token that would go over plain
 * HTTP off this machine included, so that it is refused before any request is made.
 */
function checkUrl(text: string, insecure: boolean): { url: URL } | { problem: InvalidConfigError } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return {
      problem: new InvalidConfigError(`'${text}' is not a server URL.`, {
        hint: "Give the server's address, e.g. COFFER_URL=https://coffer.example.com:8700.",
        details: { variable: "COFFER_URL" },
      }),
    };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return {
      problem: new InvalidConfigError(`'${text}' is not an http(s) URL.`, {
        hint: "Use https://… (or http://… for a server on this machine).",
        details: { variable: "COFFER_URL" },
      }),
    };
  }
  const refusal = cleartextRefusal(url, insecure);
  return refusal ? { problem: refusal } : { url };
}

function toError(status: number, body: unknown, base: string): Error {
  const error = (body as { error?: Partial<ErrorBody> } | undefined)?.error;
  if (error && isErrorCode(error.code) && typeof error.message === "string")
    return errorFromBody(error as ErrorBody);
  if (status === 429) {
    // The server's failed-authentication limit: a problem with the token, not with the server.
    return new UnauthenticatedError(
      typeof error?.message === "string" ? error.message : "Too many failed authentications.",
      {
        hint: `${typeof error?.hint === "string" ? `${error.hint} ` : ""}Check COFFER_TOKEN (or run coffer login again).`,
        details: { status, ...(error?.details ?? {}) },
      },
    );
  }
  if (status >= 500) {
    return new BackendUnavailableError(`The Coffer server at ${base} failed (HTTP ${status}).`, {
      hint: error?.message ? `It said: ${error.message}` : "Its log has the details.",
      details: { status },
    });
  }
  return new ValidationError(`The Coffer server at ${base} refused the request (HTTP ${status}).`, {
    hint: "Is COFFER_URL a Coffer server? Client and server versions may differ.",
    details: { status },
  });
}

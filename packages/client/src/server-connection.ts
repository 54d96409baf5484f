/**
 * One Coffer server, reached over HTTP with a bearer token: checks the URL, sends JSON requests,
 * and turns the server's answers back into values or into the typed errors it sent — typed errors
 * travel as `{ error: { code, message, hint, details } }` and are rebuilt into the same classes,
 * so a program cannot tell local from remote mode by the errors it catches.
 */
import {
  BackendUnavailableError,
  type ErrorBody,
  errorFromBody,
  isErrorCode,
  type Logger,
  UnauthenticatedError,
  ValidationError,
} from "@coffer/core";
import { warnIfCleartext } from "./cleartext-warning.js";

export class ServerConnection {
  /** The server's URL without a trailing slash, as messages name it. */
  readonly base: string;
  readonly #url: URL;
  readonly #token: string;
  readonly #logger: Logger | undefined;

  constructor(options: { url: string; token: string; logger?: Logger | undefined }) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new ValidationError(`'${options.url}' is not a server URL.`, {
        hint: "Give the server's address, e.g. COFFER_URL=https://coffer.example.com:8700.",
        details: { variable: "COFFER_URL" },
      });
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new ValidationError(`'${options.url}' is not an http(s) URL.`, {
        hint: "Use https://… (or http://… for a server on this machine).",
        details: { variable: "COFFER_URL" },
      });
    }
    this.base = url.href.replace(/\/$/, "");
    this.#url = url;
    this.#logger = options.logger;
    this.#token = options.token;
  }

  /** Sends one request; the parsed JSON answer, or the error the answer stands for. */
  async call<T>(
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
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

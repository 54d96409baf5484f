// Key Vault list paging: `maxresults` (1 to 25; 25 when absent) and a `nextLink` that carries a
// `$skiptoken`. The SDK GETs nextLink exactly as given, so it is an absolute URL with api-version.
// The token is a cursor (the last key returned), so changes between pages skip or repeat nothing.
import { badParameter } from "./errors.js";

export const MAX_RESULTS = 25;

export interface PageRequest {
  /** Absolute URL of the list endpoint, without query, e.g. https://127.0.0.1:8443/secrets. */
  listUrl: string;
  apiVersion: string;
  query: URLSearchParams;
}

export function page(entries: Array<{ key: string; item: object }>, request: PageRequest) {
  const max = parseMaxResults(request.query.get("maxresults"));
  const token = request.query.get("$skiptoken");
  const after = token === null ? undefined : parseToken(token);
  const rest = after === undefined ? entries : entries.filter((e) => e.key > after);
  const items = rest.slice(0, max);
  let nextLink: string | null = null;
  if (rest.length > max) {
    const marker = Buffer.from(JSON.stringify({ NextMarker: items[items.length - 1]!.key })).toString(
      "base64url",
    );
    const query = new URLSearchParams({
      "api-version": request.apiVersion,
      $skiptoken: marker,
      maxresults: String(max),
    });
    nextLink = `${request.listUrl}?${query.toString()}`;
  }
  return { value: items.map((e) => e.item), nextLink };
}

function parseMaxResults(raw: string | null): number {
  if (raw === null || raw === "") return MAX_RESULTS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_RESULTS) {
    throw badParameter(
      `Invalid value for maxresults: ${raw}. It must be an integer from 1 to ${MAX_RESULTS}.`,
    );
  }
  return n;
}

function parseToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { NextMarker?: unknown };
    if (typeof parsed.NextMarker === "string") return parsed.NextMarker;
  } catch {
    // Falls through to the error below.
  }
  throw badParameter("The $skiptoken is invalid.");
}

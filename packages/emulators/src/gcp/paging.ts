// List pagination: `page_size` (0 lets the server decide; above 25000 is capped at 25000, as the
// protos say; negative is invalid) and an opaque `page_token`. The token is a cursor on the
// creation sequence rather than an offset, so creating or deleting items between pages neither
// skips nor repeats the others. It is bound to the parent and filter it was issued for.
import { createHash } from "node:crypto";
import { invalidArgument } from "./errors.js";

const MAX_PAGE_SIZE = 25_000;

export interface Page<T> {
  items: T[];
  nextPageToken: string;
}

/** `items` must be sorted by `key` descending (newest first, as list responses are). */
export function paginate<T>(
  items: readonly T[],
  key: (item: T) => number,
  request: { pageSize: number; pageToken: string },
  scope: string,
): Page<T> {
  if (request.pageSize < 0) throw invalidArgument("page_size must not be negative.");
  const size = request.pageSize === 0 ? MAX_PAGE_SIZE : Math.min(request.pageSize, MAX_PAGE_SIZE);
  const bound = scopeHash(scope);
  let start = 0;
  if (request.pageToken) {
    const after = decodeToken(request.pageToken, bound);
    start = items.findIndex((item) => key(item) < after);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + size);
  const more = start + size < items.length;
  return { items: page, nextPageToken: more ? encodeToken(key(page[page.length - 1]!), bound) : "" };
}

function scopeHash(scope: string): string {
  return createHash("sha256").update(scope).digest("base64url").slice(0, 16);
}

function encodeToken(after: number, scope: string): string {
  return Buffer.from(JSON.stringify({ a: after, s: scope })).toString("base64url");
}

function decodeToken(token: string, scope: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
      a?: unknown;
      s?: unknown;
    };
    if (typeof parsed.a === "number" && parsed.s === scope) return parsed.a;
  } catch {
    // Falls through to the error below.
  }
  throw invalidArgument("The page_token is invalid, or was issued for a different request.");
}

/**
 * The ListSecrets and BatchGetSecretValue filters and NextToken paging, as the API reference
 * describes them.
 */
import { invalidNextToken } from "./errors.js";
import type { Secret } from "./store.js";

export interface Filter {
  Key?: string;
  Values?: string[];
}

/**
 * ListSecrets / BatchGetSecretValue filters, as the API reference describes them:
 * - name, tag-key, tag-value, primary-region, owning-service: prefix match, case-sensitive;
 * - description: prefix match, not case-sensitive;
 * - all: the value is broken into words, and every word must prefix-match a word of the name,
 *   description, a tag key or a tag value, not case-sensitive.
 * A value starting with "!" negates: the secret passes when nothing matches it. A secret passes a
 * filter when it matches one of its plain values (if any) and none of its negated ones; it must
 * pass every filter.
 */
export function matchesFilters(secret: Secret, filters: readonly Filter[]): boolean {
  return filters.every((filter) => matchesFilter(secret, filter));
}

function matchesFilter(secret: Secret, filter: Filter): boolean {
  const values = filter.Values ?? [];
  const positive = values.filter((v) => !v.startsWith("!"));
  const negative = values.filter((v) => v.startsWith("!")).map((v) => v.slice(1));
  const test = matcher(secret, filter.Key ?? "");
  if (positive.length > 0 && !positive.some(test)) return false;
  return !negative.some(test);
}

function matcher(secret: Secret, key: string): (value: string) => boolean {
  switch (key) {
    case "name":
      return (value) => secret.name.startsWith(value);
    case "description":
      return (value) => (secret.description ?? "").toLowerCase().startsWith(value.toLowerCase());
    case "tag-key":
      return (value) => secret.tags.some((tag) => tag.Key.startsWith(value));
    case "tag-value":
      return (value) => secret.tags.some((tag) => tag.Value.startsWith(value));
    case "all": {
      const attributes = [
        secret.name,
        secret.description ?? "",
        ...secret.tags.flatMap((tag) => [tag.Key, tag.Value]),
      ];
      const words = attributes.flatMap(splitWords);
      return (value) => {
        const wanted = splitWords(value);
        return wanted.length > 0 && wanted.every((w) => words.some((word) => word.startsWith(w)));
      };
    }
    default:
      // primary-region and owning-service: the emulator neither replicates secrets nor lets other
      // services own them, so no secret has these attributes.
      return () => false;
  }
}

function splitWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

/** NextToken is opaque to clients; here it is the base64 of the next offset. */
export function encodeNextToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString("base64");
}

export function decodeNextToken(token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
    const offset = (parsed as { offset?: unknown }).offset;
    if (typeof offset === "number" && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through: any token we did not issue is invalid
  }
  throw invalidNextToken();
}

/** One page of `items` starting at `token`, with the token for the next page if there is one. */
export function page<T>(
  items: readonly T[],
  token: string | undefined,
  size: number,
): { items: T[]; next?: string } {
  const offset = decodeNextToken(token);
  const end = offset + size;
  const slice = items.slice(offset, end);
  return end < items.length ? { items: slice, next: encodeNextToken(end) } : { items: slice };
}

/** A ListQuery written as the query string of the server's list endpoint (`GET /api/v1/secrets`). */
import type { ListQuery } from "@coffer/core";

/** ListQuery → the query string the server's list endpoint takes. */
export function listParams(query: ListQuery): URLSearchParams {
  const params = new URLSearchParams();
  const { name, private: isPrivate, owner, created, updated, sort, limit, cursor, ...unknown } = query ?? {};
  if (typeof name === "string") params.set("name", name);
  else if (name && "equals" in name) params.set("name", name.equals);
  else if (name && "contains" in name) params.set("name_contains", name.contains);
  else if (name && "startsWith" in name) params.set("name_startswith", name.startsWith);
  else if (name && "endsWith" in name) params.set("name_endswith", name.endsWith);
  else if (name) for (const key of Object.keys(name)) params.set(`name_${key}`, "");
  if (isPrivate !== undefined) params.set("private", String(isPrivate));
  if (owner !== undefined) params.set("owner", owner);
  for (const [field, range] of [
    ["created", created],
    ["updated", updated],
  ] as const) {
    if (range?.after !== undefined) params.set(`${field}_after`, timeText(range.after));
    if (range?.before !== undefined) params.set(`${field}_before`, timeText(range.before));
  }
  if (sort) params.set("sort", `${sort.direction === "desc" ? "-" : ""}${sort.by}`);
  if (limit !== undefined) params.set("limit", String(limit));
  if (cursor !== undefined) params.set("cursor", cursor);
  // Fields the server does not know go along, so that it refuses them as the service does.
  for (const [key, value] of Object.entries(unknown)) params.set(key, String(value));
  return params;
}

function timeText(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

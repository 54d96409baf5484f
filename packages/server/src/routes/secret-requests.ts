/**
 * What a secrets request asks for, in the service's terms: the list query from the query string,
 * the reference from a by-name query, and the expected version from `If-Match` (check-and-set:
 * the version is the ETag).
 */
import { type ListQuery, type SecretRef, ValidationError } from "@coffer/core";
import type { FastifyRequest } from "fastify";
import type { z } from "zod";
import type { listQuery } from "../schemas.js";

export function byName(query: { name: string; private?: boolean | undefined }): SecretRef {
  return query.private === undefined ? { name: query.name } : { name: query.name, private: query.private };
}

export function writeOptions(request: FastifyRequest): { expectedVersion?: number } {
  const expectedVersion = expectedVersionFrom(request);
  return expectedVersion === undefined ? {} : { expectedVersion };
}

export function expectedVersionFrom(request: FastifyRequest): number | undefined {
  const header = request.headers["if-match"];
  if (header === undefined || header === "*") return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(String(header).trim());
  if (!match) {
    throw new ValidationError(`If-Match '${String(header).slice(0, 40)}' is not a version.`, {
      hint: 'Send the ETag you received, e.g. If-Match: "3".',
      details: { field: "If-Match" },
    });
  }
  return Number(match[1]);
}

export function toListQuery(query: z.output<typeof listQuery>): ListQuery {
  const names = [
    query.name !== undefined ? { equals: query.name } : undefined,
    query.name_contains !== undefined ? { contains: query.name_contains } : undefined,
    query.name_startswith !== undefined ? { startsWith: query.name_startswith } : undefined,
    query.name_endswith !== undefined ? { endsWith: query.name_endswith } : undefined,
  ].filter((each) => each !== undefined);
  if (names.length > 1) {
    throw new ValidationError("Give at most one of name, name_contains, name_startswith and name_endswith.", {
      details: { field: "name" },
    });
  }
  const result: ListQuery = {};
  if (names[0]) result.name = names[0];
  if (query.private !== undefined) result.private = query.private;
  if (query.owner !== undefined) result.owner = query.owner;
  if (query.created_after !== undefined || query.created_before !== undefined) {
    result.created = {
      ...(query.created_after ? { after: query.created_after } : {}),
      ...(query.created_before ? { before: query.created_before } : {}),
    };
  }
  if (query.updated_after !== undefined || query.updated_before !== undefined) {
    result.updated = {
      ...(query.updated_after ? { after: query.updated_after } : {}),
      ...(query.updated_before ? { before: query.updated_before } : {}),
    };
  }
  if (query.sort !== undefined) {
    const descending = query.sort.startsWith("-");
    result.sort = {
      by: query.sort.replace(/^-/, "") as "name" | "created" | "updated",
      direction: descending ? "desc" : "asc",
    };
  }
  if (query.limit !== undefined) result.limit = query.limit;
  if (query.cursor !== undefined) result.cursor = query.cursor;
  return result;
}

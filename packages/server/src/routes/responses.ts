/** The reply schemas routes share: the error body under each status a route may answer, and "no content". */
import { z } from "zod";
import { errorSchema } from "../schemas.js";

export const noContent = z.null().describe("No content");

/** The errors any authenticated route may answer with. */
export const errorReplies = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  503: errorSchema,
};

/** … and those of the secret routes: 412 for a stale If-Match, 413 for values too large. */
export const secretErrorReplies = { ...errorReplies, 412: errorSchema, 413: errorSchema };

/** … and those of the routes that read an uploaded archive: 413 over the limit, 422 a damaged one. */
export const archiveErrorReplies = { ...errorReplies, 413: errorSchema, 422: errorSchema };

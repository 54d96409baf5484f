/** The refusal a pasted document gets: shown like an API error, with no text of the document in it. */
import { ApiError } from "./api.js";

export function refused(message: string, hint: string): ApiError {
  return new ApiError(0, "VALIDATION", message, hint);
}

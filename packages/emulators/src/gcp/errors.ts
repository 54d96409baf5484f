// The gRPC errors Secret Manager answers with, by status code, and its etag check: every failure
// the GCP emulator reports is one of these, so the client sees the code and text it would get.
import { status } from "@grpc/grpc-js";

/** A gRPC status the emulator answers with; `details` becomes the client's error text. */
export class GcpStatusError extends Error {
  constructor(
    readonly code: status,
    readonly details: string,
  ) {
    super(details);
    this.name = "GcpStatusError";
  }
}

export const invalidArgument = (details: string) => new GcpStatusError(status.INVALID_ARGUMENT, details);
export const notFound = (details: string) => new GcpStatusError(status.NOT_FOUND, details);
export const alreadyExists = (details: string) => new GcpStatusError(status.ALREADY_EXISTS, details);
export const failedPrecondition = (details: string) =>
  new GcpStatusError(status.FAILED_PRECONDITION, details);
export const permissionDenied = (details: string) => new GcpStatusError(status.PERMISSION_DENIED, details);
export const aborted = (details: string) => new GcpStatusError(status.ABORTED, details);

/** The documented etag rule: a given etag that differs from the stored one fails the request. */
export function checkEtag(given: string | undefined, current: string, resource: string): void {
  if (given && given !== current) {
    throw failedPrecondition(`The etag provided in the request does not match the etag of ${resource}.`);
  }
}

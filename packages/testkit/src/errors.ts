/**
 * Thrown when a test backend cannot run on this machine (no Docker for a MySQL container, for
 * example). `reason` says why in words fit for a test report: "MySQL not run: <reason>".
 */
export class NotAvailable extends Error {
  override readonly name = "NotAvailable";

  constructor(
    /** What could not be started, e.g. "mysql". */
    readonly backend: string,
    /** Why, e.g. "no Docker socket at /var/run/docker.sock". */
    readonly reason: string,
    /** The bare problem (no engine, an image that cannot be had), for the run's summary line. */
    readonly problem: string = reason,
  ) {
    super(`${backend} not available: ${reason}`);
  }
}

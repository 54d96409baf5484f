/**
 * A Vault error response: `{"errors": [...]}` with an HTTP status. Some 404s instead carry a full
 * response envelope whose `data` member is given here, e.g. reading a deleted KV version returns
 * its metadata.
 */
export class VaultError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
    readonly data?: Record<string, unknown>,
  ) {
    super(errors[0] ?? `HTTP ${status}`);
  }
}

export const permissionDenied = () => new VaultError(403, ["permission denied"]);
/** Vault's "nothing here": 404 with an empty error list. */
export const notFound = () => new VaultError(404, []);
export const badRequest = (message: string) => new VaultError(400, [message]);
export const unsupportedOperation = () =>
  new VaultError(405, ["1 error occurred:\n\t* unsupported operation\n\n"]);
export const unsupportedPath = () => new VaultError(404, ["1 error occurred:\n\t* unsupported path\n\n"]);
export const noHandler = (path: string) =>
  new VaultError(404, [`no handler for route "${path}". route entry not found.`]);

/** The failures `failNext()` can inject. */
export const injectableFaults = {
  /** 503, as a sealed Vault answers every request. */
  sealed: { status: 503, errors: ["Vault is sealed"] },
  /** 500, an unexpected server error. */
  internal: { status: 500, errors: ["1 error occurred:\n\t* internal error\n\n"] },
  /** 429, a rate-limit quota was hit. */
  "rate-limited": { status: 429, errors: ["request path rate limit quota exceeded"] },
} as const;

export type VaultFaultKind = keyof typeof injectableFaults;

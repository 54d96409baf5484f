// Fault injection: "make the next N requests fail" with the responses Key Vault gives when it
// sheds load: 429 Throttled with a Retry-After header, or 503 Service Unavailable. Both are what
// the Azure SDK's retry policy treats as retryable. Only authenticated requests count, so the
// SDK's unauthenticated challenge round trip never consumes a fault.
import { KeyVaultError } from "./errors.js";

export type AzureFault =
  | { status?: 503; retryAfterSeconds?: number }
  | { status: 429; retryAfterSeconds?: number };

export class AzureFaultQueue {
  private readonly pending: Array<{ remaining: number; fault: AzureFault }> = [];

  add(count: number, fault: AzureFault = {}): void {
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError("failNext: count must be a positive integer");
    this.pending.push({ remaining: count, fault });
  }

  /** The error this request must fail with, if any; consumes one. */
  take(): KeyVaultError | undefined {
    const next = this.pending[0];
    if (!next) return undefined;
    next.remaining -= 1;
    if (next.remaining === 0) this.pending.shift();
    const { fault } = next;
    const headers: Record<string, string> =
      fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
    if (fault.status === 429) {
      headers["retry-after"] ??= "1";
      return new KeyVaultError(
        429,
        "Throttled",
        "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached",
        undefined,
        headers,
      );
    }
    return new KeyVaultError(
      503,
      "ServiceUnavailable",
      "The service is temporarily unavailable.",
      undefined,
      headers,
    );
  }

  clear(): void {
    this.pending.length = 0;
  }

  get size(): number {
    return this.pending.reduce((n, p) => n + p.remaining, 0);
  }
}

/**
 * Slows down token guessing: each client address may fail authentication `limit` times per
 * `windowMs`; after that every request from it that needs a token is refused with 429 until the
 * window ends — a correct guess included, or the refusals would tell a right guess from a wrong
 * one. Memory is bounded: at most `maxAddresses` windows are kept, the oldest dropped first
 * (a Map iterates in insertion order), so a flood of spoofed-looking addresses cannot grow it.
 *
 * Behind a reverse proxy every request comes from the proxy's address unless the server is told
 * to trust it (COFFER_SERVER_TRUST_PROXY), see docs/operators.md.
 */
export interface AuthLimiterOptions {
  /** Failed authentications allowed per address and window. 0 turns the limiter off. */
  limit: number;
  windowMs: number;
  maxAddresses?: number;
  clock?: () => number;
}

interface Window {
  failures: number;
  resetAt: number;
}

export class AuthLimiter {
  readonly #windows = new Map<string, Window>();
  readonly #clock: () => number;
  readonly #maxAddresses: number;

  constructor(private readonly options: AuthLimiterOptions) {
    this.#clock = options.clock ?? Date.now;
    this.#maxAddresses = options.maxAddresses ?? 10_000;
  }

  /** Seconds until `address` may try again, or 0 when it may try now. */
  retryAfterSeconds(address: string): number {
    if (this.options.limit <= 0) return 0;
    const window = this.#current(address);
    if (!window || window.failures < this.options.limit) return 0;
    return Math.max(1, Math.ceil((window.resetAt - this.#clock()) / 1000));
  }

  recordFailure(address: string): void {
    if (this.options.limit <= 0) return;
    const window = this.#current(address);
    if (window) {
      window.failures += 1;
      return;
    }
    if (this.#windows.size >= this.#maxAddresses) {
      const oldest = this.#windows.keys().next().value;
      if (oldest !== undefined) this.#windows.delete(oldest);
    }
    this.#windows.set(address, { failures: 1, resetAt: this.#clock() + this.options.windowMs });
  }

  get size(): number {
    return this.#windows.size;
  }

  #current(address: string): Window | undefined {
    const window = this.#windows.get(address);
    if (window && window.resetAt <= this.#clock()) {
      this.#windows.delete(address);
      return undefined;
    }
    return window;
  }
}

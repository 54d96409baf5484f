/**
 * A queue of injected failures: `failNext(n, kind)` makes the next `n` requests fail with `kind`.
 * Calls queue up in order, so `failNext(1, "a"); failNext(2, "b")` fails one request with `a`, then
 * two with `b`. Each emulator decides what a kind looks like on its wire.
 */
export class FaultQueue<Kind extends string> {
  readonly #pending: { kind: Kind; remaining: number }[] = [];

  add(count: number, kind: Kind): void {
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`failNext count must be a non-negative integer, got ${count}`);
    }
    if (count > 0) this.#pending.push({ kind, remaining: count });
  }

  /** Takes one failure off the queue, or returns undefined when none is pending. */
  take(): Kind | undefined {
    const head = this.#pending[0];
    if (!head) return undefined;
    head.remaining -= 1;
    if (head.remaining === 0) this.#pending.shift();
    return head.kind;
  }

  clear(): void {
    this.#pending.length = 0;
  }

  get pending(): number {
    return this.#pending.reduce((sum, entry) => sum + entry.remaining, 0);
  }
}

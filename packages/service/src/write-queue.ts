/**
 * One writer at a time per key (a secret as the caller named it) within this process, in arrival
 * order.
 *
 * The metadata row's `updating` state is the lock that counts (it holds across processes and
 * survives a crash through its lease), but writers that find it taken can only poll for it. Within
 * one process there is no need to: writers to the same secret queue here, first come first
 * served, so a burst of sixty writers costs sixty writes in a row instead of sixty pollers racing
 * for each release — where the unlucky ones lost every race until they gave up. Only writers in
 * different processes still meet at the row lock.
 */
import type { Actor, SecretRef } from "@coffer/core";

export class WriteQueue {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => done);
    this.#tails.set(key, tail);
    try {
      await previous;
      return await work();
    } finally {
      release();
      // The last one out leaves no entry behind: the map holds only secrets being written.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}

/**
 * The queue a write joins, taken from the reference as given so that a process's writers line up
 * in the order they were called, before any lookup. Writes naming one secret in two ways (by id,
 * by name) queue apart and meet at the row lock instead.
 */
export function writeKey(actor: Actor, ref: SecretRef): string {
  if (ref !== null && typeof ref === "object" && "id" in ref) return `id\u0000${String(ref.id)}`;
  const named = ref as { name?: unknown; private?: unknown } | null;
  return `name\u0000${actor.id}\u0000${String(named?.private)}\u0000${String(named?.name)}`;
}

/**
 * Work over an async stream with a bounded number of items in flight: the restore reads its
 * archive one record at a time and writes several secrets at once, so memory stays one record per
 * slot however large the archive, and the waits of a write (the audit trail's gathered commit, a
 * remote store's round trip) overlap instead of adding up.
 */

/**
 * Runs `work` on each item of `items` as it is pulled, at most `limit` at once. Items with the
 * same key run one after another, in the order they were pulled (two archive entries of one name
 * must not race). On the first failure (of `work` or of the stream) it stops pulling, lets the
 * items already pulled finish (those waiting behind one of their name too: each pulled item is
 * handled, as in a loop that handles each item before it pulls the next), and throws that
 * failure.
 */
export async function forEachBounded<T>(
  items: AsyncIterable<T>,
  limit: number,
  keyOf: (item: T) => string,
  work: (item: T) => Promise<void>,
): Promise<void> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a positive integer`);
  const running = new Set<Promise<void>>();
  const tails = new Map<string, Promise<void>>();
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
  };
  const iterator = items[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      // A slot first, then the next item: nothing is pulled that will not be handled.
      while (running.size >= limit && !failure) await Promise.race(running);
      if (failure) break;
      const next = await iterator.next();
      if (next.done) {
        finished = true;
        break;
      }
      const item = next.value;
      const key = keyOf(item);
      const before = tails.get(key);
      const task: Promise<void> = (async () => {
        if (before) await before;
        await work(item);
      })()
        .catch(fail)
        .finally(() => {
          running.delete(task);
          if (tails.get(key) === task) tails.delete(key);
        });
      running.add(task);
      tails.set(key, task);
    }
  } catch (error) {
    fail(error);
    finished = true; // a stream that threw is over
  }
  await Promise.all(running);
  // Stopped early: let the stream release what it holds (the archive's file).
  if (!finished) await iterator.return?.();
  if (failure) throw failure.error;
}

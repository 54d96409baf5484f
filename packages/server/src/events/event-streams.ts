/**
 * The open event streams of one app, so that a graceful shutdown can end them at once (they would
 * otherwise hold the shutdown for its whole grace period: an event stream never finishes by
 * itself). Each stream registers an abort function; `endAll` calls them.
 */
export class EventStreams {
  readonly #open = new Set<() => void>();
  #closing = false;

  /** Registers a stream's end; returns the function that unregisters it. */
  add(end: () => void): () => void {
    if (this.#closing) {
      end();
      return () => undefined;
    }
    this.#open.add(end);
    return () => this.#open.delete(end);
  }

  get size(): number {
    return this.#open.size;
  }

  endAll(): void {
    this.#closing = true;
    for (const end of [...this.#open]) end();
    this.#open.clear();
  }
}

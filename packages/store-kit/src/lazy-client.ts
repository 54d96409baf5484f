/**
 * The SDK client a store builds on first use (constructing a store does no I/O) and drops on
 * close(); after close every call fails with the same BackendUnavailableError on every backend.
 */
import { storeClosed } from "./common-errors.js";

export class LazyClient<T> {
  #client: T | undefined;
  #closed = false;

  /** `type` names the store in the closed error; `build` makes the client. */
  constructor(
    readonly type: string,
    readonly build: () => T,
  ) {}

  /** The client, built now if this is the first call. */
  get(): T {
    if (this.#closed) throw storeClosed(this.type);
    this.#client ??= this.build();
    return this.#client;
  }

  /** Marks the store closed and hands back the client that was built, if any, to release. */
  close(): T | undefined {
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    return client;
  }
}

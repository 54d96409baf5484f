/**
 * The open clients a program made with an explicit `url` option: where the program said its
 * secrets are, which the default client behind `Secret()` must not silently contradict
 * (default-client.ts). Weak references, so a client the program drops without closing does not
 * stay here.
 */
import type { CofferClient } from "./client.js";

const madeWithUrl = new Set<WeakRef<CofferClient>>();

/** Notes `client` as made with a url; the returned reference is what `forget` takes on close. */
export function rememberMadeWithUrl(client: CofferClient): WeakRef<CofferClient> {
  const ref = new WeakRef(client);
  madeWithUrl.add(ref);
  return ref;
}

export function forgetMadeWithUrl(ref: WeakRef<CofferClient>): void {
  madeWithUrl.delete(ref);
}

export function clientsMadeWithUrl(): CofferClient[] {
  const clients: CofferClient[] = [];
  for (const ref of madeWithUrl) {
    const client = ref.deref();
    if (client) clients.push(client);
    else madeWithUrl.delete(ref);
  }
  return clients;
}

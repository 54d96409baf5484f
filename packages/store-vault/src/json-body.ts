/**
 * A request body that reaches Vault with every key it holds.
 *
 * node-vault hands a plain-object body to axios, which deep-copies it while merging its request
 * config and, to guard against prototype pollution, skips keys named `__proto__`, `constructor`
 * and `prototype` on the way: a secret holding such a key lost it without a word. axios copies
 * only plain objects, so an instance of this class passes through untouched, and axios serialises
 * it with JSON.stringify, which calls `toJSON` and writes every own key of the payload.
 */
export class JsonBody {
  constructor(readonly payload: unknown) {}

  toJSON(): unknown {
    return this.payload;
  }
}

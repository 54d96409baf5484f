/**
 * A composition root: the one place an application's parts (clock, logger, databases, stores, the
 * service…) are built and wired. Each part is registered by name with a factory that may resolve
 * the parts it needs; a part is built once, on first use, and every user gets that one instance.
 * Registering a name again replaces the part, so swapping the clock, the logger or the store — in
 * a test or a deployment — is one `register` call.
 *
 * Typed by the application's map of parts: `resolve("clock")` has the clock's type, no cast and no
 * string token. No decorators, no reflection, no global container; the README ("Composition")
 * says why this is not tsyringe, and what that would have cost.
 */

/** What a factory sees: the other parts, by name. */
export interface PartResolver<Parts> {
  resolve<Name extends keyof Parts>(name: Name): Parts[Name];
}

export type PartFactory<Parts, Name extends keyof Parts> = (parts: PartResolver<Parts>) => Parts[Name];

export class CompositionRoot<Parts extends object> implements PartResolver<Parts> {
  readonly #factories = new Map<keyof Parts, (parts: PartResolver<Parts>) => unknown>();
  readonly #built = new Map<keyof Parts, unknown>();
  readonly #building: (keyof Parts)[] = [];

  /**
   * Registers (or replaces) how a part is built. A part already built cannot be replaced: what
   * was built from it would keep the old one, and the application would run on two of them.
   */
  register<Name extends keyof Parts>(name: Name, factory: PartFactory<Parts, Name>): this {
    if (this.#built.has(name)) {
      throw new Error(
        `The part '${String(name)}' is already built and in use; register its replacement before anything resolves it.`,
      );
    }
    this.#factories.set(name, factory);
    return this;
  }

  /** Registers a ready-made part. */
  provide<Name extends keyof Parts>(name: Name, part: Parts[Name]): this {
    return this.register(name, () => part);
  }

  has(name: keyof Parts): boolean {
    return this.#factories.has(name);
  }

  /** The part, built on first use from its factory (and the parts that factory resolves). */
  resolve<Name extends keyof Parts>(name: Name): Parts[Name] {
    if (this.#built.has(name)) return this.#built.get(name) as Parts[Name];
    const factory = this.#factories.get(name);
    if (!factory) {
      const known = [...this.#factories.keys()].map(String).join(", ");
      throw new Error(`No part '${String(name)}' is registered (registered: ${known || "none"}).`);
    }
    if (this.#building.includes(name)) {
      const cycle = [...this.#building.slice(this.#building.indexOf(name)), name].map(String);
      throw new Error(`The parts depend on each other in a circle: ${cycle.join(" → ")}.`);
    }
    this.#building.push(name);
    try {
      const part = factory(this) as Parts[Name];
      this.#built.set(name, part);
      return part;
    } finally {
      this.#building.pop();
    }
  }
}

/**
 * The store registry: each store type registers `{ type, optionsSchema, create }`, and the
 * deploy-time configuration picks one by type. A registry is a plain object an application (or a
 * test) creates, so each holds its own registrations without touching anyone else's — no global
 * container (why not tsyringe: README, "Composition").
 *
 * A registration may also be lazy (`registerLazy(type, load)`): the module that defines the store
 * is imported only when that type is chosen, so choosing `sql` never loads a cloud SDK.
 */
import type { z } from "zod";
import { InvalidConfigError } from "./errors.js";
import type { SecretsStore, StoreContext } from "./store.js";
import { parseStoreOptions } from "./store-helpers.js";

// biome-ignore lint/suspicious/noExplicitAny: a registry holds registrations of any options type.
export interface StoreRegistration<Options = any> {
  /** The name operators put in COFFER_STORE_TYPE, e.g. "aws". Lowercase letters, digits and dashes. */
  readonly type: string;
  /** One line for `coffer store info` and error messages. */
  readonly description: string;
  /** The store's options. Env var COFFER_STORE_<OPTION> maps to option `<option>` in camelCase. */
  readonly optionsSchema: z.ZodType<Options>;
  /** Options holding credentials: they may be given as `@/path/to/file` and are never printed. */
  readonly sensitiveOptions?: readonly string[];
  /**
   * Options whose value names a file (a CA bundle, a key file): the loader reads it and hands the
   * schema its contents (e.g. `tlsCa`). Unlike sensitiveOptions their value (the path) is printed.
   */
  readonly fileOptions?: readonly string[];
  /** Builds the store. Must do no I/O: connecting happens in `init()`. */
  create(options: Options, context: StoreContext): SecretsStore;
}

/** Declares a store registration with its options type inferred from the schema. */
export function defineStore<Schema extends z.ZodType>(registration: {
  type: string;
  description: string;
  optionsSchema: Schema;
  sensitiveOptions?: readonly string[];
  fileOptions?: readonly string[];
  create(options: z.output<Schema>, context: StoreContext): SecretsStore;
}): StoreRegistration<z.output<Schema>> {
  return registration as StoreRegistration<z.output<Schema>>;
}

type RegistrationLoader = () => Promise<StoreRegistration>;

const TYPE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

export class StoreRegistry {
  /** Each type's loader; a type is claimed (and its name checked) before it is set. */
  readonly #loaders = new Map<string, RegistrationLoader>();

  /** Registers a store type. Registering a type twice is an error: two plugins would fight. */
  register(registration: StoreRegistration): this {
    assertRegistration(registration, `the registration of '${String(registration?.type)}'`);
    this.#claim(registration.type, async () => registration);
    return this;
  }

  /** Registers a store type whose module is imported only when the type is used. */
  registerLazy(type: string, load: RegistrationLoader): this {
    let loaded: Promise<StoreRegistration> | undefined;
    this.#claim(type, () => {
      loaded ??= load().then((registration) => {
        assertRegistration(registration, `the module registered for store type '${type}'`);
        if (registration.type !== type) {
          throw new InvalidConfigError(
            `The module registered for store type '${type}' defines type '${registration.type}'.`,
            { hint: "Register it under the type its module declares." },
          );
        }
        return registration;
      });
      return loaded;
    });
    return this;
  }

  has(type: string): boolean {
    return this.#loaders.has(type);
  }

  types(): string[] {
    return [...this.#loaders.keys()].sort();
  }

  /** The registration for `type`; an InvalidConfigError listing the known types if there is none. */
  async get(type: string): Promise<StoreRegistration> {
    const load = this.#loaders.get(type);
    if (!load) {
      throw new InvalidConfigError(`'${type}' is not a known store type.`, {
        hint: `Use one of: ${this.types().join(", ")}.`,
        details: { type, known: this.types() },
      });
    }
    return load();
  }

  #claim(type: string, load: RegistrationLoader): void {
    if (!TYPE_NAME.test(type)) {
      throw new InvalidConfigError(`'${type}' is not a valid store type name.`, {
        hint: "Store types are lowercase letters, digits and dashes, starting with a letter.",
      });
    }
    if (this.#loaders.has(type)) {
      throw new InvalidConfigError(`A store of type '${type}' is already registered.`, {
        hint: "Each store type can be registered once; give the new store a type name of its own.",
        details: { type },
      });
    }
    this.#loaders.set(type, load);
  }
}

/**
 * Checks that a value really is a store registration (a custom module can export anything) and
 * says precisely what is missing when it is not.
 */
export function assertRegistration(value: unknown, what: string): asserts value is StoreRegistration {
  const problems: string[] = [];
  if (value === null || typeof value !== "object") {
    problems.push("it is not an object");
  } else {
    const candidate = value as Partial<Record<keyof StoreRegistration, unknown>>;
    if (typeof candidate.type !== "string" || !TYPE_NAME.test(candidate.type)) {
      problems.push("'type' must be a lowercase name such as 'my-store'");
    }
    if (typeof candidate.description !== "string") problems.push("'description' must be a string");
    const schema = candidate.optionsSchema as { safeParse?: unknown } | undefined;
    if (!schema || typeof schema.safeParse !== "function") {
      problems.push("'optionsSchema' must be a zod schema");
    }
    if (typeof candidate.create !== "function")
      problems.push("'create' must be a function (options, context) => store");
    if (candidate.sensitiveOptions !== undefined && !Array.isArray(candidate.sensitiveOptions)) {
      problems.push("'sensitiveOptions' must be an array of option names");
    }
    if (candidate.fileOptions !== undefined && !Array.isArray(candidate.fileOptions)) {
      problems.push("'fileOptions' must be an array of option names");
    }
  }
  if (problems.length > 0) {
    throw new InvalidConfigError(
      `${capitalize(what)} is not a valid store registration: ${problems.join("; ")}.`,
      {
        hint: "Export one with defineStore({ type, description, optionsSchema, create }) from @coffer/core.",
        details: { problems },
      },
    );
  }
}

const STORE_METHODS = [
  "capabilities",
  "init",
  "create",
  "get",
  "getMany",
  "update",
  "delete",
  "health",
  "close",
];

/** Checks that a factory returned something shaped like a SecretsStore. */
export function assertStoreShape(store: unknown, type: string): asserts store is SecretsStore {
  const missing = STORE_METHODS.filter(
    (method) => typeof (store as Record<string, unknown> | null)?.[method] !== "function",
  );
  if (missing.length > 0) {
    throw new InvalidConfigError(
      `The '${type}' store's factory returned an object without ${missing.join(", ")}.`,
      {
        hint: "create() must return a SecretsStore; extending AbstractSecretsStore from @coffer/core gives the optional methods.",
        details: { type, missing },
      },
    );
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Validates `options` against a registration's schema and builds the store. Options come from
 * code here (tests, embedding applications); deploy-time config goes through loadConfig, which
 * names environment variables in its errors.
 */
export function instantiateStore(
  registration: StoreRegistration,
  options: unknown,
  context: StoreContext,
): SecretsStore {
  const parsed = parseStoreOptions(registration.type, registration.optionsSchema, options);
  const store = registration.create(parsed, context);
  assertStoreShape(store, registration.type);
  return store;
}

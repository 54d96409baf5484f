/**
 * The registration every backend package exports, made one way: `defineBackend` is core's
 * `defineStore` given the store class instead of a factory, with the file-valued options derived
 * from the schema, so a store that declares the kit's `tlsCa` fragment cannot forget to have the
 * loader read its file.
 */
import {
  defineStore,
  type SecretsStore,
  type StoreContext,
  type StoreRegistration,
  type z,
} from "@coffer/core";
import { TLS_FILE_OPTIONS } from "./options.js";

export function defineBackend<Schema extends z.ZodObject>(registration: {
  type: string;
  description: string;
  optionsSchema: Schema;
  /** Credentials: never printed, and may be given as `@/path`. */
  sensitiveOptions?: readonly string[];
  /** The store class: constructed with the parsed options and the context (and no I/O). */
  store: new (
    options: z.output<Schema>,
    context: StoreContext,
  ) => SecretsStore;
}): StoreRegistration<z.output<Schema>> {
  const { store: Store, ...rest } = registration;
  const fileOptions = TLS_FILE_OPTIONS.filter((option) => option in registration.optionsSchema.shape);
  return defineStore({
    ...rest,
    ...(fileOptions.length > 0 && { fileOptions }),
    create: (options, context) => new Store(options, context),
  });
}

/**
 * The registration every backend package exports, made one way: `defineBackend` is core's
 * `defineStore` with the file-valued options derived from the schema, so a store that declares
 * the kit's `tlsCa` fragment cannot forget to have the loader read its file.
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
  create: (options: z.output<Schema>, context: StoreContext) => SecretsStore;
}): StoreRegistration<z.output<Schema>> {
  const fileOptions = TLS_FILE_OPTIONS.filter((option) => option in registration.optionsSchema.shape);
  return defineStore({ ...registration, ...(fileOptions.length > 0 && { fileOptions }) });
}

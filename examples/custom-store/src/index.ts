/**
 * An example custom backend: each secret is one file in a directory, encrypted with AES-256-GCM.
 *
 *   COFFER_STORE_TYPE=custom
 *   COFFER_STORE_MODULE=./examples/custom-store/dist/index.js   (or the package name, once installed)
 *   COFFER_STORE_DIRECTORY=/var/lib/coffer/secrets
 *   COFFER_STORE_KEY=@/etc/coffer/dir-store.key                 (32 random bytes, base64)
 *
 * The plugin is this folder: a zod options schema (options.ts), a class implementing the SecretsStore
 * contract with the kit's common errors (encrypted-dir-store.ts; AbstractSecretsStore supplies
 * NotSupportedError for the optional capabilities), the file format (envelope.ts), and this default
 * export made with the kit's defineBackend.
 */
import { defineBackend } from "@coffer/store-kit";
import { EncryptedDirStore } from "./encrypted-dir-store.js";
import { encryptedDirStoreOptions } from "./options.js";

export { EncryptedDirStore } from "./encrypted-dir-store.js";
export { encryptedDirStoreOptions, type ParsedEncryptedDirStoreOptions } from "./options.js";

export default defineBackend({
  type: "encrypted-dir",
  description: "Each secret an AES-256-GCM encrypted file in a local directory (example plugin).",
  optionsSchema: encryptedDirStoreOptions,
  sensitiveOptions: ["key"],
  store: EncryptedDirStore,
});

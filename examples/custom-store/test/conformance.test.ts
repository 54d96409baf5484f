// The example plugin is loaded exactly as an operator would load it (COFFER_STORE_TYPE=custom and
// a module path), then runs the conformance suite unchanged.
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describeStoreConformance } from "@coffer/conformance";
import { instantiateStore, StoreRegistry, silentLogger } from "@coffer/core";
import { loadConfig } from "@coffer/core/config";

const builtModule = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/index.js");
const root = mkdtempSync(path.join(tmpdir(), "coffer-encrypted-dir-"));
const keyFile = path.join(root, "store.key");
writeFileSync(keyFile, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });

const config = await loadConfig({
  registry: new StoreRegistry(),
  env: {
    COFFER_STORE_TYPE: "custom",
    COFFER_STORE_MODULE: builtModule,
    COFFER_STORE_DIRECTORY: path.join(root, "secrets"),
    COFFER_STORE_KEY: `@${keyFile}`,
    COFFER_STORE_MAX_VALUE_BYTES: "8192",
    COFFER_DATA_DIR: root,
  },
});
const context = { deploymentId: "example", dataDir: root, databaseUrl: "", logger: silentLogger };

describeStoreConformance("encrypted-dir (custom, loaded by path)", {
  create: () => config.store.registration.create(config.store.options, context),
  // Read from a store built as `create` builds it (construction does no I/O), never copied.
  capabilities: config.store.registration.create(config.store.options, context).capabilities(),
  registration: config.store.registration,
  invalidOptions: [
    { key: "k" },
    { directory: "/d", key: "k", colour: "red" },
    { directory: "/d", key: "c2hvcnQ=" },
  ],
  // A directory inside a regular file can never be created: nothing is there to talk to.
  unreachable: () =>
    instantiateStore(
      config.store.registration,
      { directory: path.join(keyFile, "inside-a-file"), key: config.store.options.key },
      context,
    ),
});

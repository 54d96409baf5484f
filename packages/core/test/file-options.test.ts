// File-valued options: a registration's `fileOptions` name files whose contents the store gets,
// from a variable (relative to the working directory) or the YAML file (relative to its folder).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeStoreOptions, loadConfig } from "../src/config/index.js";
import { assertRegistration, StoreRegistry } from "../src/index.js";
import { configError, fileOptionsStore, plainStore, tempDir } from "./helpers.js";

const PEM = "-----BEGIN CERTIFICATE-----\nnot-a-real-certificate\n-----END CERTIFICATE-----\n";
const registry = () => new StoreRegistry().register(fileOptionsStore).register(plainStore);
const load = (env: Record<string, string>, extra: { cwd?: string; file?: string } = {}) =>
  loadConfig({ registry: registry(), env: { COFFER_DATA_DIR: "/var/lib/coffer-test", ...env }, ...extra });

/** A folder holding `files`, each written with its content. */
function folder(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

describe("file-valued options (a registration's fileOptions)", () => {
  it("reads the file a variable names, relative to the working directory, and passes its contents", async () => {
    const dir = folder({ "certs/ca.pem": PEM });
    const config = await load(
      { COFFER_STORE_TYPE: "filey", COFFER_STORE_TLS_CA: "certs/ca.pem" },
      { cwd: dir },
    );
    expect(config.store.options.tlsCa).toBe(PEM);
    expect(config.store.optionFiles).toEqual({ tlsCa: path.join(dir, "certs/ca.pem") });
  });

  it("reads the file a YAML setting names, relative to the YAML file's folder", async () => {
    const dir = folder({
      "conf/coffer.yaml": "store:\n  type: filey\n  tlsCa: ca.pem\n",
      "conf/ca.pem": PEM,
    });
    // The working directory is elsewhere: the path is the YAML file's neighbour.
    const config = await load({}, { cwd: tempDir(), file: path.join(dir, "conf/coffer.yaml") });
    expect(config.store.options.tlsCa).toBe(PEM);
  });

  it("coerces the contents by the option's schema, as it does a variable's text", async () => {
    const dir = folder({ "labels.json": '{"team":"payments"}\n' });
    const config = await load({
      COFFER_STORE_TYPE: "filey",
      COFFER_STORE_LABELS: path.join(dir, "labels.json"),
    });
    expect(config.store.options.labels).toEqual({ team: "payments" });
  });

  it("lets the environment win over the file setting", async () => {
    const dir = folder({
      "coffer.yaml": "store:\n  type: filey\n  tlsCa: from-yaml.pem\n",
      "from-yaml.pem": "yaml\n",
      "from-env.pem": "env\n",
    });
    const config = await load(
      { COFFER_STORE_TLS_CA: path.join(dir, "from-env.pem") },
      { file: path.join(dir, "coffer.yaml") },
    );
    expect(config.store.options.tlsCa).toBe("env\n");
    expect(config.store.optionFiles?.tlsCa).toBe(path.join(dir, "from-env.pem"));
  });

  it("refuses an unreadable file named by a variable, naming the variable and the path", async () => {
    const missing = path.join(tempDir(), "missing.pem");
    const error = await configError(() => load({ COFFER_STORE_TYPE: "filey", COFFER_STORE_TLS_CA: missing }));
    expect(error.oneLine).toBe(
      `COFFER_STORE_TLS_CA names the file ${missing}, which cannot be read (ENOENT). Check the path in COFFER_STORE_TLS_CA: it must name a readable file.`,
    );
    expect(error.details).toEqual({ variable: "COFFER_STORE_TLS_CA", file: missing });
  });

  it("refuses an unreadable file named in the YAML file, naming the setting and the path", async () => {
    const dir = folder({ "coffer.yaml": "store:\n  type: filey\n  tlsCa: certs\n", "certs/x": "" });
    const error = await configError(() => load({}, { file: path.join(dir, "coffer.yaml") }));
    expect(error.oneLine).toMatch(
      /^store\.tlsCa in coffer\.yaml names the file .*\/certs, which cannot be read \(EISDIR\)\./,
    );
    expect(error.details).toEqual({ setting: "store.tlsCa", file: path.join(dir, "certs") });
  });

  it("refuses a file setting that is not a path", async () => {
    const dir = folder({ "coffer.yaml": "store:\n  type: filey\n  tlsCa: 42\n" });
    const error = await configError(() => load({}, { file: path.join(dir, "coffer.yaml") }));
    expect(error.oneLine).toMatch(/^store\.tlsCa in coffer\.yaml must be the path of a file\./);
  });

  it("shows the path, not the contents, and hides a credential's contents everywhere", async () => {
    const dir = folder({ "ca.pem": PEM, "client.key": "not-a-real-key" });
    const config = await load({
      COFFER_STORE_TYPE: "filey",
      COFFER_STORE_TLS_CA: path.join(dir, "ca.pem"),
      COFFER_STORE_CLIENT_KEY: path.join(dir, "client.key"),
    });
    expect(config.store.options.clientKey).toBe("not-a-real-key");
    const shown = describeStoreOptions(config.store);
    expect(shown).toEqual({ tlsCa: `@${path.join(dir, "ca.pem")}`, clientKey: "[redacted]" });
  });

  it("never quotes a credential file's contents when they are invalid", async () => {
    const dir = folder({ "labels.json": "not-json-and-not-a-real-secret" });
    const sensitiveLabels = { ...fileOptionsStore, type: "filey-secret", sensitiveOptions: ["labels"] };
    const error = await configError(() =>
      loadConfig({
        registry: new StoreRegistry().register(sensitiveLabels),
        env: { COFFER_STORE_TYPE: "filey-secret", COFFER_STORE_LABELS: path.join(dir, "labels.json") },
      }),
    );
    expect(error.oneLine).toMatch(/^COFFER_STORE_LABELS must be JSON\./);
    expect(error.oneLine).not.toContain("not-a-real-secret");
  });

  it("is checked in a registration: fileOptions must be a list of option names", () => {
    expect(() => assertRegistration({ ...fileOptionsStore, fileOptions: "tlsCa" }, "the test store")).toThrow(
      /'fileOptions' must be an array of option names/,
    );
  });
});

describe("Coffer's own credentials from files (`@path`): the database URL and the metadata keyring", () => {
  const URL_WITH_PASSWORD = "postgres://coffer:fake-db-password@db.internal:5432/coffer";
  const KEYRING = '{"active": "m1", "keys": {"m1": "ZmFrZS1rZXktZm9yLXRlc3RzLW9ubHktMDEyMzQ1Njc="}}';

  it("reads COFFER_DATABASE_URL and COFFER_METADATA_KEYRING from the files they name, less one final newline", async () => {
    const dir = folder({ "db-url": `${URL_WITH_PASSWORD}\n`, "metadata-keyring": `${KEYRING}\n` });
    const config = await load(
      {
        COFFER_STORE_TYPE: "plain",
        COFFER_DATABASE_URL: "@db-url",
        COFFER_METADATA_KEYRING: `@${path.join(dir, "metadata-keyring")}`,
      },
      { cwd: dir },
    );
    expect(config.databaseUrl).toBe(URL_WITH_PASSWORD);
    expect(config.metadataKeyring).toBe(KEYRING);
  });

  it("takes a YAML setting's relative path from the YAML file's folder", async () => {
    const dir = folder({
      "conf/coffer.yaml":
        "store:\n  type: plain\ndatabaseUrl: '@secrets/db-url'\nmetadataKeyring: '@secrets/keyring'\n",
      "conf/secrets/db-url": URL_WITH_PASSWORD,
      "conf/secrets/keyring": KEYRING,
    });
    const config = await load({}, { cwd: tempDir(), file: path.join(dir, "conf/coffer.yaml") });
    expect(config.databaseUrl).toBe(URL_WITH_PASSWORD);
    expect(config.metadataKeyring).toBe(KEYRING);
  });

  it("keeps a value without '@' as it is, and leaves the metadata keyring unset when nothing gives it", async () => {
    const config = await load({ COFFER_STORE_TYPE: "plain", COFFER_DATABASE_URL: URL_WITH_PASSWORD });
    expect(config.databaseUrl).toBe(URL_WITH_PASSWORD);
    expect(config).not.toHaveProperty("metadataKeyring");
  });

  it("names the variable and the path when the file cannot be read", async () => {
    const missing = path.join(tempDir(), "no-such-file");
    const error = await configError(() =>
      load({ COFFER_STORE_TYPE: "plain", COFFER_DATABASE_URL: `@${missing}` }),
    );
    expect(error.oneLine).toContain(
      `COFFER_DATABASE_URL points to the file ${missing}, which cannot be read (ENOENT)`,
    );
    expect(error.details).toMatchObject({ variable: "COFFER_DATABASE_URL", file: missing });
  });
});

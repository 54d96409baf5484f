import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/index.js";
import { z } from "../src/index.js";
import { configError, tempDir, testRegistry, writeTemp } from "./helpers.js";

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
const base = { COFFER_DATA_DIR: "/var/lib/coffer-test" };
const load = (env: Record<string, string>, file?: string) =>
  loadConfig({
    registry: testRegistry(),
    env: { ...base, ...env },
    ...(file ? { file } : {}),
    defaultStoreType: "plain",
  });

describe("deploy-time configuration from the environment", () => {
  it("maps COFFER_STORE_<OPTION> to camelCase options and coerces them by the schema", async () => {
    const config = await load({
      COFFER_STORE_TYPE: "cloudlike",
      COFFER_STORE_REGION: "eu-west-1",
      COFFER_STORE_NAME_PREFIX: "team-a",
      COFFER_STORE_MAX_VERSIONS: "5",
      COFFER_STORE_FORCE_DELETE: "yes",
      COFFER_STORE_EXTRA_TAGS: '{"team":"payments"}',
    });
    expect(config.store.type).toBe("cloudlike");
    expect(config.store.options).toEqual({
      region: "eu-west-1",
      namePrefix: "team-a",
      maxVersions: 5,
      forceDelete: true,
      extraTags: { team: "payments" },
    });
  });

  it("defaults to the embedded store, a SQLite file in the data directory and the strictest validation", async () => {
    const config = await load({});
    expect(config.store.type).toBe("plain");
    expect(config.databaseUrl).toBe("sqlite:///var/lib/coffer-test/coffer.db");
    expect(config.secretValidationLevel).toBe("SECRET_AND_KEY_EXISTS");
    expect(config.backupStore).toBeUndefined();
  });

  it("reads a credential from a file when given as @path", async () => {
    const file = writeTemp("token", "not-a-real-token\n");
    const config = await load({
      COFFER_STORE_TYPE: "cloudlike",
      COFFER_STORE_REGION: "r",
      COFFER_STORE_API_TOKEN: `@${file}`,
    });
    expect(config.store.options.apiToken).toBe("not-a-real-token");
  });

  it("configures an optional backup store from COFFER_BACKUP_STORE_*", async () => {
    const config = await load({
      COFFER_BACKUP_STORE_TYPE: "cloudlike",
      COFFER_BACKUP_STORE_REGION: "us-east-2",
    });
    expect(config.store.type).toBe("plain");
    expect(config.backupStore?.options.region).toBe("us-east-2");
  });

  it("validates extra sections other packages declare", async () => {
    const config = await loadConfig({
      registry: testRegistry(),
      defaultStoreType: "plain",
      env: { COFFER_SERVER_PORT: "8080" },
      sections: {
        server: { envPrefix: "COFFER_SERVER_", schema: z.object({ port: z.number().int() }).strict() },
      },
    });
    expect(config.sections.server).toEqual({ port: 8080 });
  });
});

describe("configuration errors: one line naming the variable and the fix", () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    [
      "a missing required option",
      { COFFER_STORE_TYPE: "cloudlike" },
      /^COFFER_STORE_REGION is missing: the 'cloudlike' store needs it\. Set COFFER_STORE_REGION\.$/,
    ],
    [
      "an unknown option, with a suggestion",
      { COFFER_STORE_TYPE: "cloudlike", COFFER_STORE_REGION: "r", COFFER_STORE_REGON: "r" },
      /COFFER_STORE_REGON is not an option of the 'cloudlike' store\. .*Did you mean COFFER_STORE_REGION\?/,
    ],
    [
      "an option of the wrong type",
      { COFFER_STORE_TYPE: "cloudlike", COFFER_STORE_REGION: "r", COFFER_STORE_MAX_VERSIONS: "ten" },
      /^COFFER_STORE_MAX_VERSIONS must be a number \(got 'ten'\)\. Set COFFER_STORE_MAX_VERSIONS to a number/,
    ],
    [
      "an option out of range",
      { COFFER_STORE_TYPE: "cloudlike", COFFER_STORE_REGION: "r", COFFER_STORE_MAX_VERSIONS: "500" },
      /^COFFER_STORE_MAX_VERSIONS is invalid \(got 500\): .*100.* Fix COFFER_STORE_MAX_VERSIONS/,
    ],
    [
      "a malformed JSON option",
      { COFFER_STORE_TYPE: "cloudlike", COFFER_STORE_REGION: "r", COFFER_STORE_EXTRA_TAGS: "team=x" },
      /^COFFER_STORE_EXTRA_TAGS must be JSON .*Set COFFER_STORE_EXTRA_TAGS to a JSON object/,
    ],
    [
      "an unknown store type",
      { COFFER_STORE_TYPE: "cloudlik" },
      /^COFFER_STORE_TYPE is 'cloudlik', which is not a store type\. Use one of: cloudlike, plain, custom\. Did you mean cloudlike\?$/,
    ],
    [
      "an option for a store that takes none",
      { COFFER_STORE_REGION: "r" },
      /^COFFER_STORE_REGION is not an option of the 'plain' store\. Unset it/,
    ],
    [
      "a bad validation level",
      { COFFER_SECRET_VALIDATION_LEVEL: "SOME" },
      /^COFFER_SECRET_VALIDATION_LEVEL is 'SOME', which is not allowed\. Use one of: NONE, SECRET_EXISTS, SECRET_AND_KEY_EXISTS\.$/,
    ],
    [
      "a mistyped setting",
      { COFFER_DATABSE_URL: "postgres://x" },
      /^COFFER_DATABSE_URL is not a Coffer setting\. Did you mean COFFER_DATABASE_URL\?/,
    ],
    [
      "a credential file that does not exist",
      {
        COFFER_STORE_TYPE: "cloudlike",
        COFFER_STORE_REGION: "r",
        COFFER_STORE_API_TOKEN: "@/nonexistent/token",
      },
      /^COFFER_STORE_API_TOKEN points to the file \/nonexistent\/token, which cannot be read \(ENOENT\)/,
    ],
    [
      "a custom store without a module",
      { COFFER_STORE_TYPE: "custom" },
      /^COFFER_STORE_MODULE is missing: a custom store needs the module that defines it\. Set COFFER_STORE_MODULE/,
    ],
    [
      "a backup store without a type",
      { COFFER_BACKUP_STORE_REGION: "r", COFFER_BACKUP_STORE_TYPE: "" },
      /^COFFER_BACKUP_STORE_TYPE is missing, but COFFER_BACKUP_STORE_REGION configures a backup store\. Set COFFER_BACKUP_STORE_TYPE/,
    ],
  ];

  it.each(cases)("%s", async (_, env, expected) => {
    const error = await configError(() => load(env));
    expect(error.oneLine).toMatch(expected);
    expect(error.oneLine).not.toContain("\n");
  });

  it("names the default store type when nothing sets one and the registry lacks it", async () => {
    const error = await configError(() => loadConfig({ registry: testRegistry(), env: base }));
    expect(error.oneLine).toMatch(
      /^The default store type \(COFFER_STORE_TYPE is not set\) is 'sql', which is not a store type\. Use one of: /,
    );
  });

  it("never prints a credential's value, even when it is invalid", async () => {
    const registry = testRegistry();
    const error = await configError(() =>
      loadConfig({
        registry,
        env: { COFFER_STORE_TYPE: "cloudlike", COFFER_STORE_REGION: "r", COFFER_STORE_API_TOKEN: "" },
        sections: {},
      }).then(() =>
        loadConfig({
          registry,
          env: {
            COFFER_STORE_TYPE: "cloudlike",
            COFFER_STORE_REGION: "",
            COFFER_STORE_API_TOKEN: "not-a-real-token",
          },
        }),
      ),
    );
    expect(error.oneLine).toMatch(/COFFER_STORE_REGION/);
    expect(error.oneLine).not.toContain("not-a-real-token");
  });
});

describe("configuration from a YAML file", () => {
  it("reads the file, and the environment wins option by option", async () => {
    const file = writeTemp(
      "coffer.yaml",
      "databaseUrl: postgres://db.internal/coffer\nstore:\n  type: cloudlike\n  region: eu-west-1\n  maxVersions: 3\n",
    );
    const config = await load({ COFFER_STORE_MAX_VERSIONS: "7" }, file);
    expect(config.databaseUrl).toBe("postgres://db.internal/coffer");
    expect(config.store.options).toMatchObject({ region: "eu-west-1", maxVersions: 7 });
    expect(config.configFile).toBe(file);
  });

  it("sets the file's store aside when the environment names another type", async () => {
    const file = writeTemp("coffer.yaml", "store:\n  type: cloudlike\n  region: eu-west-1\n");
    const config = await load({ COFFER_STORE_TYPE: "plain" }, file);
    expect(config.store.type).toBe("plain");
  });

  it("is found through COFFER_CONFIG_FILE", async () => {
    const file = writeTemp("coffer.yaml", "secretValidationLevel: NONE\n");
    expect((await load({ COFFER_CONFIG_FILE: file })).secretValidationLevel).toBe("NONE");
  });

  it.each([
    ["invalid YAML", "store: [\n", /^The configuration file coffer\.yaml is not valid YAML at line \d+/],
    [
      "an unknown setting",
      "databseUrl: x\n",
      /^'databseUrl' in coffer\.yaml is not a Coffer setting\. .*Did you mean databaseUrl\?/,
    ],
    [
      "several primary stores",
      "store:\n  - type: plain\n  - type: cloudlike\n",
      /^'store' in coffer\.yaml is a list; Coffer has exactly one primary store\./,
    ],
    [
      "a list of stores",
      "stores:\n  a: {type: plain}\n",
      /lists several stores under 'stores'; Coffer has exactly one primary store\./,
    ],
    [
      "an unknown store option",
      "store:\n  type: cloudlike\n  region: r\n  colour: blue\n",
      /^store\.colour in coffer\.yaml is not an option of the 'cloudlike' store\./,
    ],
    [
      "a missing option",
      "store:\n  type: cloudlike\n",
      /^COFFER_STORE_REGION is missing: the 'cloudlike' store needs it\. Set COFFER_STORE_REGION \(or store\.region in coffer\.yaml\)\.$/,
    ],
    [
      "an option of the wrong type",
      "store:\n  type: cloudlike\n  region: r\n  maxVersions: many\n",
      /^store\.maxVersions in coffer\.yaml is invalid \(got "many"\)/,
    ],
  ])("rejects %s", async (_, content, expected) => {
    const file = writeTemp("coffer.yaml", content);
    const error = await configError(() => load({}, file));
    expect(error.oneLine).toMatch(expected);
    expect(error.oneLine).not.toContain("\n");
  });

  it("rejects a file that does not exist", async () => {
    const error = await configError(() => load({}, path.join(tempDir(), "missing.yaml")));
    expect(error.oneLine).toMatch(/cannot be read \(ENOENT\)\. Check the path in COFFER_CONFIG_FILE/);
  });
});

describe("custom stores (COFFER_STORE_TYPE=custom)", () => {
  it("loads a registration from a module path and validates its options", async () => {
    const config = await load({
      COFFER_STORE_TYPE: "custom",
      COFFER_STORE_MODULE: path.join(fixtures, "custom-store.mjs"),
      COFFER_STORE_DIRECTORY: "/srv/secrets",
      COFFER_STORE_SHARDS: "4",
    });
    expect(config.store).toMatchObject({
      type: "fixture-store",
      options: { directory: "/srv/secrets", shards: 4 },
    });
    expect(config.store.module).toContain("custom-store.mjs");
  });

  it("resolves a relative module path against the working directory", async () => {
    const config = await loadConfig({
      registry: testRegistry(),
      cwd: fixtures,
      env: {
        COFFER_STORE_TYPE: "custom",
        COFFER_STORE_MODULE: "./custom-store.mjs",
        COFFER_STORE_DIRECTORY: "/d",
      },
    });
    expect(config.store.type).toBe("fixture-store");
  });

  it.each([
    [
      "a module that does not exist",
      "./nope.mjs",
      /^COFFER_STORE_MODULE names '\.\/nope\.mjs', which cannot be found\./,
    ],
    [
      "a package that is not installed",
      "coffer-store-that-does-not-exist",
      /^COFFER_STORE_MODULE names 'coffer-store-that-does-not-exist', which cannot be found\./,
    ],
    [
      "a module without a registration",
      "./no-export.mjs",
      /^The module '\.\/no-export\.mjs' \(COFFER_STORE_MODULE\) exports no store registration\. Export one/,
    ],
    [
      "a module exporting something else",
      "./not-a-store.mjs",
      /is not a valid store registration: 'type' must be a lowercase name.*'description' must be a string; 'optionsSchema' must be a zod schema; 'create' must be a function/,
    ],
    [
      "a module that throws on import",
      "./throws-on-import.mjs",
      /^COFFER_STORE_MODULE names '\.\/throws-on-import\.mjs', which fails to load: boom while loading\. Fix the module/,
    ],
  ])("rejects %s", async (_, module, expected) => {
    const error = await configError(() =>
      loadConfig({
        registry: testRegistry(),
        cwd: fixtures,
        env: { COFFER_STORE_TYPE: "custom", COFFER_STORE_MODULE: module },
      }),
    );
    expect(error.oneLine).toMatch(expected);
  });

  it("rejects options the custom store does not declare", async () => {
    const error = await configError(() =>
      loadConfig({
        registry: testRegistry(),
        cwd: fixtures,
        env: {
          COFFER_STORE_TYPE: "custom",
          COFFER_STORE_MODULE: "./custom-store.mjs",
          COFFER_STORE_DIRECTORY: "/d",
          COFFER_STORE_SHARD: "2",
        },
      }),
    );
    expect(error.oneLine).toMatch(
      /^COFFER_STORE_SHARD is not an option of the 'fixture-store' store\..*Did you mean COFFER_STORE_SHARDS\?/,
    );
  });
});

describe("empty variables", () => {
  it("count as unset, as compose files pass them", async () => {
    const config = await load({
      COFFER_STORE_TYPE: "cloudlike",
      COFFER_STORE_REGION: "r",
      COFFER_STORE_API_TOKEN: "",
    });
    expect(config.store.options.apiToken).toBeUndefined();
  });
});

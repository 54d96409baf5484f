/**
 * The kit's building blocks that stores share: classification tables, `attempt`, the lazy client,
 * the extra-marks option fragment and defineBackend.
 */
import {
  AbstractSecretsStore,
  BackendUnavailableError,
  newSecretId,
  SecretNotFoundError,
  silentLogger,
  z,
} from "@coffer/core";
import { describe, expect, it } from "vitest";
import {
  backendErrors,
  type ClassificationRule,
  classifyByRules,
  codes,
  defineBackend,
  extraMarks,
  LazyClient,
  tlsCa,
} from "../src/index.js";

const rules: ClassificationRule<{ message?: string }>[] = [
  { codes: codes("Missing Gone"), status: [404], kind: "not-found" },
  { when: (error) => error.message === "slow", kind: "unavailable", reason: "it was slow", hint: "Wait." },
  { status: (status) => status >= 500, kind: "unavailable", code: () => null },
];

describe("classifyByRules", () => {
  it("takes the first rule whose codes, statuses or predicate match, and keeps the facts", () => {
    expect(classifyByRules(rules, {}, { code: "Gone", status: 400 })).toEqual({
      kind: "not-found",
      code: "Gone",
      status: 400,
    });
    expect(classifyByRules(rules, {}, { status: 404 })).toMatchObject({ kind: "not-found", status: 404 });
    expect(classifyByRules(rules, { message: "slow" }, { code: "X", details: { requestId: "r" } })).toEqual({
      kind: "unavailable",
      code: "X",
      reason: "it was slow",
      hint: "Wait.",
      details: { requestId: "r" },
    });
    // A rule may drop the code it was given.
    expect(classifyByRules(rules, {}, { code: "Odd", status: 503 })).toEqual({
      kind: "unavailable",
      status: 503,
    });
    expect(classifyByRules(rules, {}, { code: "Other", status: 400 })).toBeUndefined();
  });
});

describe("backendErrors", () => {
  const errors = backendErrors({ type: "test", service: "Test Vault" }, (error) =>
    (error as { code?: string }).code === "Missing" ? { kind: "not-found", code: "Missing" } : undefined,
  );

  it("attempt returns what the call returns and throws the typed error for what it throws", async () => {
    const id = newSecretId();
    await expect(errors.attempt({ operation: "read", id }, async () => 42)).resolves.toBe(42);
    const thrown = await errors
      .attempt({ operation: "read", id }, () => Promise.reject({ code: "Missing", message: "fake-value-1" }))
      .catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(SecretNotFoundError);
    expect(JSON.stringify(thrown)).not.toContain("fake-value-1");
    // What the store does not classify (a programming error) surfaces as it is.
    const bug = new TypeError("a bug");
    await expect(errors.attempt({ operation: "read" }, () => Promise.reject(bug))).rejects.toBe(bug);
  });
});

describe("LazyClient", () => {
  it("builds once on first use, hands the client back on close, then refuses as closed", () => {
    let built = 0;
    const lazy = new LazyClient("test", () => ({ n: ++built }));
    expect(built).toBe(0);
    expect(lazy.get()).toBe(lazy.get());
    expect(built).toBe(1);
    expect(lazy.close()).toEqual({ n: 1 });
    expect(() => lazy.get()).toThrow(BackendUnavailableError);
    expect(() => lazy.get()).toThrow("The test store is closed.");
    expect(built).toBe(1);
  });
});

describe("extraMarks", () => {
  const schema = extraMarks({
    noun: "tag",
    service: "Test Vault",
    max: 4,
    entry: (key) => (key.includes(" ") ? `tag key '${key}' has a space` : undefined),
  });

  it("accepts the backend's count less Coffer's marks, and defaults to none", () => {
    expect(schema.parse(undefined)).toEqual({});
    expect(schema.parse({ a: "1", b: "2" })).toEqual({ a: "1", b: "2" });
  });

  it("refuses Coffer's own marks, too many entries and what the backend's rule refuses", () => {
    const problems = (value: unknown) => schema.safeParse(value).error?.issues.map((issue) => issue.message);
    expect(problems({ "coffer-deployment": "spoofed" })).toEqual([
      "tag 'coffer-deployment' is set by Coffer itself",
    ]);
    expect(problems({ "coffer-secret-id": "spoofed" })).toHaveLength(1);
    expect(problems({ a: "1", b: "2", c: "3" })).toEqual([
      "at most 2 tags (Test Vault allows 4; Coffer uses 2)",
    ]);
    expect(problems({ "a b": "1" })).toEqual(["tag key 'a b' has a space"]);
  });
});

describe("extraMarks with marks of the store's own", () => {
  it("counts and refuses them like the ownership marks", () => {
    const schema = extraMarks({
      noun: "tag",
      service: "Test Vault",
      max: 5,
      own: ["coffer-revision"],
      entry: () => undefined,
    });
    const problems = (value: unknown) => schema.safeParse(value).error?.issues.map((issue) => issue.message);
    expect(problems({ a: "1", b: "2" })).toBeUndefined();
    expect(problems({ a: "1", b: "2", c: "3" })).toEqual([
      "at most 2 tags (Test Vault allows 5; Coffer uses 3)",
    ]);
    expect(problems({ "coffer-revision": "9" })).toEqual(["tag 'coffer-revision' is set by Coffer itself"]);
  });
});

describe("defineBackend", () => {
  class NullStore extends AbstractSecretsStore {
    readonly type = "null";
    constructor(readonly options: { region: string }) {
      super();
    }
    capabilities() {
      return {
        access: "read-write",
        maxValueBytes: 1,
        batchGetMax: 1,
        versions: false,
        cas: false,
        softDelete: false,
      } as const;
    }
    async init() {}
    async create() {}
    async get(): Promise<never> {
      throw new SecretNotFoundError("none");
    }
    async update() {}
    async delete() {}
    async health() {
      return { status: "ready" as const, latencyMs: 0 };
    }
    async close() {}
  }
  const context = { deploymentId: "d", dataDir: "/tmp", databaseUrl: "", logger: silentLogger };

  it("constructs the class and lists tlsCa as a file option only when the schema has it", () => {
    const plain = defineBackend({
      type: "null",
      description: "nothing",
      optionsSchema: z.object({ region: z.string() }),
      store: NullStore,
    });
    expect(plain.fileOptions).toBeUndefined();
    const store = plain.create({ region: "r" }, context);
    expect(store).toBeInstanceOf(NullStore);
    expect((store as NullStore).options).toEqual({ region: "r" });
    const withTls = defineBackend({
      type: "null",
      description: "nothing",
      optionsSchema: z.object({ region: z.string(), tlsCa: tlsCa().optional() }),
      store: NullStore,
    });
    expect(withTls.fileOptions).toEqual(["tlsCa"]);
  });
});

describe("backendErrors.lookup", () => {
  const errors = backendErrors({ type: "test", service: "Test Vault" }, (error) => {
    const code = (error as { code?: string }).code;
    return code === undefined ? undefined : { kind: code === "Missing" ? "not-found" : "unavailable", code };
  });
  const isMissing = (error: unknown) => (error as { code?: string }).code === "Missing";

  it("answers undefined for what isMissing calls absent, and maps every other failure", async () => {
    await expect(errors.lookup({ operation: "probe" }, async () => "found", isMissing)).resolves.toBe(
      "found",
    );
    await expect(
      errors.lookup({ operation: "probe" }, () => Promise.reject({ code: "Missing" }), isMissing),
    ).resolves.toBeUndefined();
    await expect(
      errors.lookup({ operation: "probe" }, () => Promise.reject({ code: "Down" }), isMissing),
    ).rejects.toBeInstanceOf(BackendUnavailableError);
  });
});

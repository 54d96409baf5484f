/**
 * The kit's promises: one slug rule, one stored-value rule, one error-building and cause policy,
 * and file-valued options read with a typed error.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  BackendUnavailableError,
  IntegrityError,
  InvalidConfigError,
  newSecretId,
  readFileReference,
  SecretNotFoundError,
} from "@coffer/core";
import { describe, expect, it } from "vitest";
import {
  BackendStore,
  backendCapabilities,
  backendError,
  decodeStoredValues,
  deploymentSlug,
  hasOwnerMarks,
  mapBackendError,
  ownerMarks,
  tlsCa,
  tlsFailureCode,
} from "../src/index.js";

const backend = { type: "test", service: "Test Vault" };

describe("deploymentSlug", () => {
  // Long enough that a slug itself fits: only the "looks like a slug" rule can keep it from passing.
  const fits = /^[a-z0-9-]{1,30}$/;
  it("keeps an id that fits and hashes one that does not, or that looks like a hash", () => {
    expect(deploymentSlug("prod-eu", fits)).toBe("prod-eu");
    for (const awkward of ["Prod", "a/b", "", "a".repeat(31), `x${"0".repeat(24)}`]) {
      expect(deploymentSlug(awkward, fits)).toMatch(/^x[0-9a-f]{24}$/);
    }
    const hashed = deploymentSlug("Prod", fits);
    expect(deploymentSlug(hashed, fits)).not.toBe(hashed);
    expect(deploymentSlug("Prod", fits)).not.toBe(deploymentSlug("prod", fits));
  });
});

describe("ownership marks", () => {
  it("are recognised only for the same deployment and id", () => {
    const id = newSecretId();
    const marks = ownerMarks("prod", id);
    expect(hasOwnerMarks(marks, "prod", id)).toBe(true);
    expect(hasOwnerMarks(marks, "staging", id)).toBe(false);
    expect(hasOwnerMarks(marks, "prod", newSecretId())).toBe(false);
    expect(hasOwnerMarks(undefined, "prod", id)).toBe(false);
  });
});

describe("decodeStoredValues", () => {
  it("accepts a JSON map of strings and refuses anything else without quoting it", () => {
    const id = newSecretId();
    expect(decodeStoredValues(id, '{"a":"fake-1"}', "X")).toEqual({ a: "fake-1" });
    expect(decodeStoredValues(id, { a: "fake-1" }, "X")).toEqual({ a: "fake-1" });
    for (const bad of ['{"a":1}', "[]", "null", "not json fake-password-1", undefined]) {
      let error: unknown;
      try {
        decodeStoredValues(id, bad, "X");
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as Error).message).not.toContain("fake-password-1");
    }
  });
});

describe("backendError", () => {
  it("builds the class, message and details from a classification, never with a cause", () => {
    const id = newSecretId();
    const sdkError = Object.assign(new Error("echoes fake-password-1"), { code: "Throttled" });
    const mapped = mapBackendError(
      backend,
      () => ({ kind: "unavailable", code: "Throttled", status: 429 }),
      sdkError,
      { operation: "create", id },
    ) as BackendUnavailableError;
    expect(mapped).toBeInstanceOf(BackendUnavailableError);
    expect(mapped.message).toContain(id);
    expect(mapped.message).toContain("Throttled");
    expect(mapped.message).not.toContain("fake-password-1");
    expect(mapped.cause).toBeUndefined();
    expect(mapped.details).toMatchObject({ id, backendCode: "Throttled", httpStatus: 429, backend: "test" });
    expect(backendError(backend, { kind: "not-found" }, { operation: "read", id })).toBeInstanceOf(
      SecretNotFoundError,
    );
  });

  it("passes through what the store does not classify", () => {
    const bug = new TypeError("a programming error");
    expect(mapBackendError(backend, () => undefined, bug, { operation: "read" })).toBe(bug);
  });

  it("finds a TLS failure code in an error or its causes", () => {
    expect(tlsFailureCode({ code: "ECONNRESET", cause: { code: "SELF_SIGNED_CERT_IN_CHAIN" } })).toBe(
      "SELF_SIGNED_CERT_IN_CHAIN",
    );
    expect(tlsFailureCode({ code: "ECONNRESET" })).toBeUndefined();
  });
});

describe("file-valued options", () => {
  const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
  it("tlsCa is PEM text, or @file read into PEM text; a missing file is InvalidConfigError", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "coffer-kit-")), "ca.pem");
    writeFileSync(file, `${pem}\n`);
    expect(tlsCa().parse(pem)).toBe(pem);
    expect(tlsCa().parse(`@${file}`)).toBe(pem);
    expect(tlsCa().safeParse("not a certificate").success).toBe(false);
    expect(() => tlsCa().parse("@/nonexistent/ca.pem")).toThrow(InvalidConfigError);
    expect(() => readFileReference("@/nonexistent/ca.pem", "tlsCa")).toThrow(InvalidConfigError);
    expect(readFileReference(pem, "tlsCa")).toBe(pem);
  });
});

describe("BackendStore", () => {
  class ProbeStore extends BackendStore {
    readonly type = "probe-test";
    reachable = true;
    protected async probe(): Promise<void> {
      if (!this.reachable)
        throw backendError(backend, { kind: "unavailable", code: "Down" }, { operation: "access check" });
    }
    protected describe(): string {
      return "a probe-test backend";
    }
    capabilities() {
      return backendCapabilities({ maxValueBytes: 1024 });
    }
    async create(id: string, values: Record<string, string>) {
      this.assertWrite(id, values);
    }
    async get(): Promise<Record<string, string>> {
      return {};
    }
    async update() {}
    async delete() {}
    async close() {}
  }

  it("makes init() and health() from probe(), with the error's code and hint when it fails", async () => {
    const store = new ProbeStore();
    await store.init();
    expect(await store.health()).toMatchObject({ status: "ready", message: "a probe-test backend" });
    store.reachable = false;
    await expect(store.init()).rejects.toBeInstanceOf(BackendUnavailableError);
    const report = await store.health();
    expect(report).toMatchObject({ status: "error", errorCode: "BACKEND_UNAVAILABLE" });
    expect(report.message).toContain("retry");
  });

  it("checks the id and the size before a write, and declares a plain key-value backend by default", async () => {
    const store = new ProbeStore();
    await expect(store.create("not-an-id", { k: "v" })).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(store.create(newSecretId(), { k: "x".repeat(2048) })).rejects.toMatchObject({
      code: "VALUE_TOO_LARGE",
    });
    expect(store.capabilities()).toEqual({
      access: "read-write",
      maxValueBytes: 1024,
      batchGetMax: 1,
      versions: false,
      cas: false,
      softDelete: false,
    });
  });
});

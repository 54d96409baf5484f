/**
 * The schemes the cloud stores share through the kit: backend names, the ownership check, revision
 * marks and retention, and best-effort clean-up after a write.
 */
import { type LogFields, newSecretId, SecretNotFoundError } from "@coffer/core";
import { describe, expect, it } from "vitest";
import {
  backendErrors,
  deploymentSlug,
  Ownership,
  parseRevision,
  REVISION_MARK,
  RevisionHistory,
  revisionLabel,
  revisionOfLabel,
  SecretNames,
} from "../src/index.js";

describe("SecretNames", () => {
  const id = newSecretId();
  const paths = new SecretNames({
    prefix: "coffer/app",
    deploymentId: "prod",
    fits: /^[a-z]{1,10}$/,
    separator: "/",
    probe: "coffer-probe",
  });

  it("names an id under prefix and deployment, and probes a name no id can take", () => {
    expect(paths.deployment).toBe("prod");
    expect(paths.name(id)).toBe(`coffer/app/prod/${id}`);
    expect(paths.probeName).toBe("coffer/app/prod/coffer-probe");
  });

  it("slugs a deployment id that does not fit, by the kit's one rule", () => {
    const flat = new SecretNames({
      prefix: "coffer",
      deploymentId: "Team A / Prod",
      fits: /^[a-z-]{1,10}$/,
      separator: "-",
      probe: "probe",
    });
    const slug = deploymentSlug("Team A / Prod", /^[a-z-]{1,10}$/);
    expect(slug).toMatch(/^x[0-9a-f]{24}$/);
    expect(flat.deployment).toBe(slug);
    expect(flat.name(id)).toBe(`coffer-${slug}-${id}`);
    expect(flat.probeName).toBe(`coffer-${slug}-probe`);
  });

  it("reads back only the ids under its own base", () => {
    expect(paths.idOf(paths.name(id))).toBe(id);
    expect(paths.idOf(paths.probeName)).toBeUndefined();
    // Another deployment's name of the same length: only the base tells it apart.
    expect(paths.idOf(`coffer/app/test/${id}`)).toBeUndefined();
    expect(paths.idOf(`coffer/app/prod/${id}/more`)).toBeUndefined();
    expect(paths.idOf(undefined)).toBeUndefined();
  });
});

describe("Ownership", () => {
  const id = newSecretId();
  const ownership = new Ownership("prod", "Test Vault");

  it("writes the two marks and accepts only marks naming this deployment and id", () => {
    const marks = ownership.marks(id);
    expect(marks).toEqual({ "coffer-deployment": "prod", "coffer-secret-id": id });
    expect(ownership.owns(id, marks)).toBe(true);
    expect(ownership.owns(newSecretId(), marks)).toBe(false);
    expect(ownership.owns(id, { ...marks, "coffer-deployment": "staging" })).toBe(false);
    expect(ownership.owns(id, undefined)).toBe(false);
    expect(() => ownership.assertOwns(id, marks)).not.toThrow();
  });

  it("reports a secret of another owner as missing, naming the service", () => {
    const check = () => ownership.assertOwns(id, { "coffer-deployment": "other", "coffer-secret-id": id });
    expect(check).toThrow(SecretNotFoundError);
    expect(check).toThrow(`Test Vault holds no secret ${id} of this deployment.`);
  });
});

describe("revision marks", () => {
  it("parses only positive integers", () => {
    expect(parseRevision("7")).toBe(7);
    for (const text of ["0", "-1", "1.5", "07", "", "x", undefined, 3, "99999999999999999999"]) {
      expect(parseRevision(text)).toBeUndefined();
    }
    expect(REVISION_MARK).toBe("coffer-revision");
  });

  it("labels a revision coffer-r<n> and reads the label back", () => {
    expect(revisionLabel(12)).toBe("coffer-r12");
    expect(revisionOfLabel("coffer-r12")).toBe(12);
    for (const label of ["AWSCURRENT", "coffer-r0", "coffer-r", "coffer-rx", "my-coffer-r3"]) {
      expect(revisionOfLabel(label)).toBeUndefined();
    }
  });
});

describe("RevisionHistory", () => {
  const id = newSecretId();
  const history = new RevisionHistory(3, "Only the newest 3 are kept.");

  it("refuses impossible revision numbers with the store's hint", () => {
    for (const revision of [0, -1, 1.5, Number.NaN]) {
      expect(() => history.assertPossible(id, revision)).toThrow(SecretNotFoundError);
    }
    expect(() => history.assertPossible(id, 1)).not.toThrow();
    const missing = history.missing(id, 9);
    expect(missing.message).toBe(`The secret ${id} has no revision 9.`);
    expect(missing.hint).toBe("Only the newest 3 are kept.");
  });

  it("drops what falls out of the newest maxVersions", () => {
    expect(history.newestDropped(3)).toBe(0);
    expect(history.newestDropped(5)).toBe(2);
  });
});

describe("backendErrors.bestEffort", () => {
  const errors = backendErrors({ type: "test", service: "Test Vault" }, () => ({
    kind: "unavailable",
    code: "Down",
  }));

  it("runs the work, and logs a failure by its typed code and message instead of throwing", async () => {
    const lines: Array<[string, LogFields | undefined]> = [];
    const logger = {
      debug() {},
      info() {},
      error() {},
      warn: (message: string, fields?: LogFields) => lines.push([message, fields]),
    };
    const id = newSecretId();
    let ran = false;
    await errors.bestEffort(logger, "could not clean up", { operation: "clean-up", id }, async () => {
      ran = true;
    });
    expect(ran).toBe(true);
    expect(lines).toEqual([]);
    await errors.bestEffort(logger, "could not clean up", { operation: "clean-up", id }, () =>
      Promise.reject({ code: "Down", message: "fake-value-9" }),
    );
    expect(lines).toEqual([
      [
        "could not clean up",
        {
          id,
          errorCode: "BACKEND_UNAVAILABLE",
          reason: `The 'test' store's clean-up of secret ${id} failed: Test Vault is unavailable (Down).`,
        },
      ],
    ]);
    expect(JSON.stringify(lines)).not.toContain("fake-value-9");
  });
});

// Every typed error a program may catch is importable from @coffer/client itself: each error class
// of @coffer/core (the ones remote mode rebuilds from the server's answers too), and every
// `…Error` the READMEs name. A program needs no second package to write `instanceof`.
import { readFileSync } from "node:fs";
import * as core from "@coffer/core";
import { describe, expect, it } from "vitest";
import * as client from "../src/index.js";

const readmes = ["../README.md", "../../../README.md"].map((file) =>
  readFileSync(new URL(file, import.meta.url), "utf8"),
);

function isErrorClass(value: unknown): value is typeof core.CofferError {
  return (
    typeof value === "function" && (value === core.CofferError || value.prototype instanceof core.CofferError)
  );
}

describe("the error classes @coffer/client exports", () => {
  it("are every error class of @coffer/core, the same classes", () => {
    const classes = Object.entries(core).filter(([, value]) => isErrorClass(value));
    expect(classes.length).toBeGreaterThan(10);
    for (const [name, value] of classes) {
      expect({ name, exported: (client as Record<string, unknown>)[name] }).toEqual({
        name,
        exported: value,
      });
    }
    expect(client.isCofferError).toBe(core.isCofferError);
  });

  it("include every …Error the READMEs name", () => {
    const named = new Set(readmes.flatMap((text) => text.match(/\b[A-Z][A-Za-z]*Error\b/g) ?? []));
    expect(named).toContain("SecretNotFoundError");
    for (const name of named) {
      expect({ name, exported: isErrorClass((client as Record<string, unknown>)[name]) }).toEqual({
        name,
        exported: true,
      });
    }
  });
});

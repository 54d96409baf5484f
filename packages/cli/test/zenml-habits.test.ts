// What ZenML users type: `secret create --private` in every spelling get/list/update take, and
// `--name "contains:api"` filters, mapped to the list's name filters (or refused, never a silent
// match of nothing).
import { describe, expect, it } from "vitest";
import { session } from "./helpers.js";

describe("ZenML habits", () => {
  const user = session();
  const visibility = (name: string) =>
    (
      JSON.parse(user.ok(["secret", "list", "--json", "--name", name])) as {
        items: Array<{ private: boolean }>;
      }
    ).items[0]?.private;

  it.each([
    ["p-eq-true", ["p-eq-true", "--a=1", "--private=true"], true],
    ["p-alone", ["p-alone", "--a=1", "--private"], true],
    ["p-before-name", ["--private", "p-before-name", "--a=1"], true],
    ["p-short", ["p-short", "--a=1", "-p"], true],
    ["p-space-true", ["p-space-true", "--a=1", "--private", "true"], true],
    ["p-space-false", ["p-space-false", "--a=1", "--private", "false"], false],
    ["p-eq-false", ["p-eq-false", "--a=1", "--private=false"], false],
    ["p-default", ["p-default", "--a=1"], false],
  ])("secret create %s", (name, args, isPrivate) => {
    user.ok(["secret", "create", ...args]);
    expect(visibility(name)).toBe(isPrivate);
  });

  it("maps ZenML's name operators to the list's filters", () => {
    for (const name of ["api-prod", "api-dev", "db-prod"]) user.ok(["secret", "create", name, "--a=1"]);
    const names = (filter: string) =>
      (
        JSON.parse(user.ok(["secret", "list", "--json", "--all", "--name", filter])) as {
          items: Array<{ name: string }>;
        }
      ).items.map((item) => item.name);
    expect(names("contains:api")).toEqual(["api-dev", "api-prod"]);
    expect(names("startswith:api-p")).toEqual(["api-prod"]);
    expect(names("endswith:-prod")).toEqual(["api-prod", "db-prod"]);
    expect(names("equals:db-prod")).toEqual(["db-prod"]);
    expect(names("CONTAINS:db")).toEqual(["db-prod"]);
  });

  it("refuses ZenML operators it does not have, with the ones it has (exit 2)", () => {
    const result = user.run(["secret", "list", "--name", "oneof:['a','b']"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("contains:");
  });
});

// Messages that say what is wrong: malformed YAML is called malformed (with where), an alias of
// text is text, YAML's null is refused as JSON's is, a secret named twice in `run -s` is said to
// be, the create help lists every reserved key, and every message is a sentence.
import { describe, expect, it } from "vitest";
import { session } from "./helpers.js";

describe("messages", () => {
  const user = session();

  it("calls an unclosed [ malformed YAML, with line and column", () => {
    const result = user.run(["secret", "create", "m1", "--values", "a: [1, 2"]);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(
      /--values is malformed YAML at line 1, column \d+: a \[ or \{ is not closed/,
    );
    expect(user.names()).not.toContain("m1");
  });

  it("takes an alias of text as that text", () => {
    user.ok(["secret", "create", "m2", "--values", "a: &x fake-shared\nb: *x"]);
    expect(user.ok(["secret", "get", "m2", "--key", "b"])).toBe("fake-shared\n");
  });

  it("refuses YAML's null (key with nothing after it) as it refuses JSON's null", () => {
    const yaml = user.run(["secret", "create", "m3", "--values", "empty:\nb: fake"]);
    const json = user.run(["secret", "create", "m3", "--values", '{"empty": null, "b": "fake"}']);
    for (const result of [yaml, json]) {
      expect(result.code).toBe(5);
      expect(result.stderr).toContain("The value of key 'empty' in --values is null, not text.");
    }
    // Empty text written as such stays allowed.
    user.ok(["secret", "create", "m3", "--values", "empty: ''\nb: fake"]);
    expect(user.ok(["secret", "get", "m3", "--key", "empty"])).toBe("\n");
  });

  it("says a secret named twice in run -s is named twice, without suggesting --prefix", () => {
    const result = user.run(["run", "-s", "api,api", "--", "true"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("The secret 'api' is named twice in -s.");
    expect(result.stderr).not.toContain("--prefix");
  });

  it("lists every reserved key in the create help, version included", () => {
    const help = user.ok(["secret", "create", "--help"]).replace(/\s+/g, " ");
    expect(help).toContain(
      "(values, values-format, interactive, private, json, debug, config, help, version) go in --values",
    );
    const refused = user.run(["secret", "create", "m4", "--version=fake"]);
    expect(refused.code).toBe(2);
  });

  it("writes every error as a sentence: a capital first, a full stop last", () => {
    const result = user.run(["login", "--url", "http://127.0.0.1:9"], { env: { COFFER_TOKEN: "" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error: The API token needs a terminal, .*\. Pass --token or set COFFER_TOKEN\.\n$/,
    );
  });
});

import { describe, expect, it } from "vitest";
import {
  findReferences,
  formatReference,
  parseReference,
  parseTemplate,
  substituteReferences,
  ValidationError,
} from "../src/index.js";

describe("{{name.key}} references", () => {
  it("parse a whole-field reference", () => {
    expect(parseReference("{{db.password}}")).toEqual({
      name: "db",
      key: "password",
      raw: "{{db.password}}",
    });
  });

  it("ignore whitespace just inside the braces", () => {
    expect(parseReference("{{  db . password  }}")).toMatchObject({ name: "db", key: "password" });
  });

  it("split at the first dot, so keys may contain dots", () => {
    expect(parseReference("{{app.smtp.host}}")).toMatchObject({ name: "app", key: "smtp.host" });
  });

  it("take names containing dots in quotes", () => {
    expect(parseReference('{{"api.example.com".token}}')).toMatchObject({
      name: "api.example.com",
      key: "token",
    });
    expect(parseReference('{{"my db"."pass word"}}')).toMatchObject({ name: "my db", key: "pass word" });
    expect(parseReference('{{"say \\"hi\\"".k}}')).toMatchObject({ name: 'say "hi"', key: "k" });
  });

  it("format references so that they parse back, quoting only where needed", () => {
    const cases: Array<[string, string]> = [
      ["db", "password"],
      ["api.example.com", "token"],
      ["my db", "a.b"],
      ["braces{}", 'quo"te'],
      ["日本", "鍵"],
    ];
    for (const [name, key] of cases) {
      expect(parseReference(formatReference(name, key))).toMatchObject({ name, key });
    }
    expect(formatReference("db", "password")).toBe("{{db.password}}");
    expect(formatReference("api.example.com", "token")).toBe('{{"api.example.com".token}}');
  });

  it("find references inside text and in nested objects and arrays", () => {
    const config = {
      url: "postgres://{{db.username}}:{{db.password}}@localhost/app",
      nested: { list: ["plain", "{{smtp.host}}"] },
      port: 5432,
    };
    expect(
      findReferences(config).map(({ path, reference }) => [path, reference.name, reference.key]),
    ).toEqual([
      ["/url", "db", "username"],
      ["/url", "db", "password"],
      ["/nested/list/1", "smtp", "host"],
    ]);
  });

  it("substitute values, leaving everything else as it was", () => {
    const config = { url: "postgres://{{db.username}}@h", password: "{{db.password}}", port: 5432, on: true };
    const values: Record<string, string> = { "db.username": "fake-user", "db.password": "fake-pass" };
    const resolved = substituteReferences(config, (ref) => values[`${ref.name}.${ref.key}`]!);
    expect(resolved).toEqual({ url: "postgres://fake-user@h", password: "fake-pass", port: 5432, on: true });
    expect(config.password).toBe("{{db.password}}");
  });

  it("turn \\{{ into a literal {{ when substituting", () => {
    expect(substituteReferences({ a: "use \\{{x.y}}" }, () => "never")).toEqual({ a: "use {{x.y}}" });
  });

  it("treat \\{{ as a literal", () => {
    expect(parseTemplate("use \\{{name.key}} to refer")).toEqual([
      { kind: "text", text: "use {{name.key}} to refer" },
    ]);
  });

  it.each([
    ["{{db}}", /dot between the secret name and the key is missing/],
    ["{{.password}}", /a secret name is missing/],
    ["{{db.}}", /a key is missing/],
    ["{{db.password", /closing '}}' is missing/],
    ['{{"db.password}}', /quoted secret name is not closed/],
    ['{{"".key}}', /not a valid non-empty string/],
    ["{{}}", /a secret name is missing/],
  ])("reject the malformed reference %j with a typed error", (text, message) => {
    expect(() => parseTemplate(text)).toThrow(ValidationError);
    expect(() => parseTemplate(text)).toThrow(message);
  });

  it("say where in the configuration a malformed reference is", () => {
    expect(() => findReferences({ services: { db: { url: "x {{db}}" } } })).toThrow(
      /in the field \/services\/db\/url at character 3/,
    );
  });
});

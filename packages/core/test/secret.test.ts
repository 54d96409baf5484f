import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { Secret, Sensitive } from "../src/index.js";

const metadata = {
  id: "0b7e5a36-58f4-4c44-9d8e-6f2b8d0c1a2b",
  name: "db",
  private: false,
  owner: "alice",
  version: 3,
  keys: [],
  createdAt: new Date("2026-01-01T00:00:00Z"),
  updatedAt: new Date("2026-01-02T00:00:00Z"),
};
const VALUE = "fake-password-Zq81";

describe("Secret redaction", () => {
  const secret = new Secret(metadata, { username: "fake-user", password: VALUE });

  it("never shows values through util.inspect, console formatting or template strings", () => {
    expect(inspect(secret, { depth: 10 })).not.toContain(VALUE);
    expect(inspect({ wrapped: [secret] }, { depth: 10 })).not.toContain(VALUE);
    expect(`${secret}`).not.toContain(VALUE);
    expect(inspect(secret)).toContain("password");
  });

  it("never shows values through JSON.stringify, but keeps the keys", () => {
    const json = JSON.stringify({ secret });
    expect(json).not.toContain(VALUE);
    expect(JSON.parse(json).secret.values).toEqual({ username: "[redacted]", password: "[redacted]" });
    expect(JSON.parse(json).secret.keys).toEqual(["username", "password"]);
  });

  it("hands out values when asked, as a copy", () => {
    expect(secret.get("password")).toBe(VALUE);
    expect(secret.get("missing")).toBeUndefined();
    const values = secret.values;
    values.password = "changed";
    expect(secret.get("password")).toBe(VALUE);
    expect(secret.toWire({ values: true }).values).toEqual({ username: "fake-user", password: VALUE });
  });

  it("exposes no enumerable property holding the values", () => {
    expect(Object.values(secret).flat()).not.toContain(VALUE);
    expect(JSON.stringify(Object.entries(secret))).not.toContain(VALUE);
  });
});

describe("Sensitive settings", () => {
  it("hide their value from inspect, JSON and strings", () => {
    const token = new Sensitive("not-a-real-token");
    expect(inspect({ token })).not.toContain("not-a-real-token");
    expect(JSON.stringify({ token })).not.toContain("not-a-real-token");
    expect(String(token)).not.toContain("not-a-real-token");
    expect(token.reveal()).toBe("not-a-real-token");
  });
});

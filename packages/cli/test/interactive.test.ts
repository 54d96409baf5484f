// Interactive use through a real pseudo-terminal (test/pty-driver.py): prompts, hidden values,
// confirmations, Ctrl-C and Ctrl-D.
import { describe, expect, it } from "vitest";
import { cofferInTerminal, session } from "./helpers.js";

const HIDDEN = "not-a-real-token-typed";

describe("secret create -i", () => {
  it("asks for keys and values; values are not shown as they are typed", () => {
    const s = session();
    const result = cofferInTerminal(["secret", "create", "api", "-i"], s.env, [
      { expect: "Key: ", send: "token\r" },
      { expect: "Value for 'token': ", send: `${HIDDEN}\r` },
      { expect: "Key: ", send: "token\r" },
      { expect: "The key 'token' is already given.", send: "" },
      { expect: "Key: ", send: "region\r" },
      { expect: "Value for 'region': ", send: "eu-west-1\r" },
      { expect: "Key: ", send: "\r" },
    ]);
    expect(result.error).toBeUndefined();
    expect(result.exitCode).toBe(0);
    expect(result.transcript).toMatch(/Created public secret 'api' with keys token, region/);
    // What was typed at a visible prompt is echoed; the values never are.
    expect(result.transcript).toContain("token");
    expect(result.transcript).not.toContain(HIDDEN);
    expect(result.transcript).not.toContain("eu-west-1");
    expect(JSON.parse(s.ok(["secret", "get", "api", "--json"])).values).toEqual({
      token: HIDDEN,
      region: "eu-west-1",
    });
  });

  it("backspace edits a hidden value", () => {
    const s = session();
    const result = cofferInTerminal(["secret", "create", "api", "-i"], s.env, [
      { expect: "Key: ", send: "token\r" },
      { expect: "Value for 'token': ", send: "fake-tokenX\x7f\r" },
      { expect: "Key: ", send: "\r" },
    ]);
    expect(result.exitCode).toBe(0);
    expect(s.ok(["secret", "get", "api", "--key", "token"])).toBe("fake-token\n");
  });

  it("Ctrl-C at a prompt stops with exit 130 and creates nothing", () => {
    const s = session();
    const result = cofferInTerminal(["secret", "create", "api", "-i"], s.env, [
      { expect: "Key: ", send: "token\r" },
      { expect: "Value for 'token': ", send: "half-typed\x03" },
    ]);
    expect(result.exitCode).toBe(130);
    expect(result.transcript).toMatch(/error: Interrupted: nothing was saved\./);
    expect(result.transcript).not.toContain("half-typed");
    expect(s.names()).toEqual([]);
  });

  it("Ctrl-D at an empty prompt stops with exit 130 and creates nothing", () => {
    const s = session();
    const result = cofferInTerminal(["secret", "create", "api", "-i"], s.env, [
      { expect: "Key: ", send: "\x04" },
    ]);
    expect(result.exitCode).toBe(130);
    expect(result.transcript).toMatch(/error: End of input: nothing was saved\./);
    expect(s.names()).toEqual([]);
  });

  it("-i without a terminal is a usage error (exit 2) that says what to use instead", () => {
    const s = session();
    const result = s.run(["secret", "create", "api", "-i"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: -i (interactive) needs a terminal, and standard input is not one. Give values with --KEY=@file or --values @file instead.\n",
    );
    expect(s.names()).toEqual([]);
  });
});

describe("secret update -i", () => {
  it("asks for the keys to set, values hidden", () => {
    const s = session();
    s.ok(["secret", "create", "api", "--token=fake-old"]);
    const result = cofferInTerminal(["secret", "update", "api", "-i"], s.env, [
      { expect: "Key: ", send: "token\r" },
      { expect: "Value for 'token': ", send: `${HIDDEN}\r` },
      { expect: "Key: ", send: "\r" },
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.transcript).not.toContain(HIDDEN);
    expect(s.ok(["secret", "get", "api", "--key", "token"])).toBe(`${HIDDEN}\n`);
  });
});

describe("secret delete asks first", () => {
  it("no keeps the secret (exit 11); yes deletes it", () => {
    const s = session();
    s.ok(["secret", "create", "db", "--password=fake-1"]);
    const declined = cofferInTerminal(["secret", "delete", "db"], s.env, [
      { expect: "Delete public secret 'db' (key password)? [y/N] ", send: "n\r" },
    ]);
    expect(declined.exitCode).toBe(11);
    expect(declined.transcript).toMatch(/error: Nothing deleted\./);
    expect(s.names()).toEqual(["db"]);

    const accepted = cofferInTerminal(["secret", "delete", "db"], s.env, [{ expect: "[y/N] ", send: "y\r" }]);
    expect(accepted.exitCode).toBe(0);
    expect(accepted.transcript).toMatch(/Deleted public secret 'db'\./);
    expect(s.names()).toEqual([]);
  });
});

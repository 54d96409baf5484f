// The program's own options against a command's: -V/--version belongs to `coffer` alone (after a
// command word it is an unknown option, so a script never stores coffer's version as a value), and
// --json/--debug/--config work, and are listed, on every command.
import { describe, expect, it } from "vitest";
import { coffer, cofferEnv, tempDir } from "./helpers.js";

const env = () => cofferEnv(tempDir());

describe("top-level options", () => {
  it("prints the version for coffer --version and -V", () => {
    for (const flag of ["--version", "-V"]) {
      const result = coffer([flag], { env: env() });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^\d+\.\d+\.\d+/);
    }
  });

  it("refuses --version after a command as an unknown option (exit 2), printing nothing on stdout", () => {
    const home = env();
    for (const args of [
      ["secret", "list", "--version"],
      ["secret", "list", "-V"],
      ["store", "info", "--version"],
    ]) {
      const result = coffer(args, { env: home });
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/Unknown option '(--version|-V)'/);
    }
  });

  it("secret get --version N is the secret's version, never coffer's: here no such secret (exit 3)", () => {
    const result = coffer(["secret", "get", "api", "--key", "token", "--version", "3"], { env: env() });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("No secret named 'api' exists.");
  });

  it("takes --json before or after the command word", () => {
    const home = env();
    for (const args of [
      ["--json", "secret", "list"],
      ["secret", "list", "--json"],
    ]) {
      const result = coffer(args, { env: home });
      expect(result.code, args.join(" ")).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ items: [] });
    }
  });

  it("lists --json and --debug in every command's help", () => {
    const result = coffer(["secret", "get", "--help"], { env: env() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--json");
    expect(result.stdout).toContain("--debug");
  });
});

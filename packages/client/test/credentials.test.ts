// The saved logins (credentials.ts): named contexts in one private file, which one a client uses,
// and the file's rules — on real files in a temporary HOME.
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InvalidConfigError, ValidationError } from "@coffer/core";
import { describe, expect, it } from "vitest";
import {
  createClient,
  credentialsFile,
  listContexts,
  readCredentials,
  removeCredentials,
  saveCredentials,
  useContext,
} from "../src/index.js";
import { tempDir } from "./helpers.js";

const envIn = (home = tempDir()) => ({ HOME: home });

describe("credentials file and contexts", () => {
  it("keeps one context per name, makes the last saved current, and COFFER_CONTEXT picks another", () => {
    const env = envIn();
    saveCredentials({ url: "http://127.0.0.1:1", token: "coffer_fake_a" }, env);
    saveCredentials({ url: "http://127.0.0.1:2", token: "coffer_fake_b", context: "staging" }, env);
    expect(readCredentials(env)).toEqual({
      url: "http://127.0.0.1:2",
      token: "coffer_fake_b",
      context: "staging",
    });
    expect(readCredentials({ ...env, COFFER_CONTEXT: "default" })?.url).toBe("http://127.0.0.1:1");
    expect(readCredentials({ ...env, COFFER_CONTEXT: "local" })).toBeUndefined();
    useContext("default", env);
    expect(readCredentials(env)?.context).toBe("default");
    expect(listContexts(env)).toEqual({
      current: "default",
      contexts: [
        { name: "default", url: "http://127.0.0.1:1", selected: true },
        { name: "staging", url: "http://127.0.0.1:2", selected: false },
      ],
    });
    const file = credentialsFile(env);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(removeCredentials(env, "default")?.token).toBe("coffer_fake_a");
    expect(readCredentials(env)).toBeUndefined(); // the current one was removed: local
    expect(removeCredentials(env, "staging")?.context).toBe("staging");
    expect(() => statSync(file)).toThrow(); // nothing left: no file
  });

  it("an unknown COFFER_CONTEXT is a configuration error on the first call, not the local store", async () => {
    const env = envIn();
    saveCredentials({ url: "http://127.0.0.1:1", token: "coffer_fake_a" }, env);
    expect(() => readCredentials({ ...env, COFFER_CONTEXT: "prod" })).toThrow(InvalidConfigError);
    const client = createClient({ env: { ...env, COFFER_CONTEXT: "prod" } });
    expect(client.mode).toBe("remote");
    await expect(client.list()).rejects.toMatchObject({
      code: "INVALID_CONFIG",
      details: { variable: "COFFER_CONTEXT" },
    });
  });

  it("refuses a file others may read, and names that are not context names", () => {
    const env = envIn();
    const file = saveCredentials({ url: "http://127.0.0.1:1", token: "coffer_fake_a" }, env);
    chmodSync(file, 0o644);
    expect(() => readCredentials(env)).toThrow(/other users may read it/);
    chmodSync(file, 0o600);
    for (const name of ["local", "__proto__", "", "a/b", "x".repeat(64)]) {
      expect(() => saveCredentials({ url: "u", token: "t", context: name }, env), name).toThrow(
        ValidationError,
      );
    }
  });

  it("never lets a name in the file reach an object's prototype", () => {
    const home = tempDir();
    const file = path.join(home, ".config", "coffer", "credentials.json");
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(
      file,
      '{"current":"__proto__","contexts":{"__proto__":{"url":"http://evil","token":"t"},"ok":{"url":"http://127.0.0.1:1","token":"t"}}}',
      { mode: 0o600 },
    );
    expect(readCredentials({ HOME: home })).toBeUndefined();
    expect(listContexts({ HOME: home }).contexts.map((each) => each.name)).toEqual(["ok"]);
    expect(readFileSync(file, "utf8")).toContain("__proto__"); // reading rewrites nothing
  });
});

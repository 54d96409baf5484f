// Keys named like Object.prototype's members (`__proto__`, `constructor`, `prototype`,
// `hasOwnProperty`) are ordinary keys: given as --KEY=VALUE, in JSON or in YAML, they must come
// back as own keys with their values from `get`, `get --key`, `run` and `export`, locally and
// against a server.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { session, tempDir } from "./helpers.js";

const RESERVED = ["__proto__", "constructor", "prototype", "hasOwnProperty"];
const node = process.execPath;

function valuesOf(s: ReturnType<typeof session>, name: string): Record<string, string> {
  return (JSON.parse(s.ok(["secret", "get", name, "--json"])) as { values: Record<string, string> }).values;
}

function expectOwn(values: Record<string, string>, suffix = "") {
  for (const key of RESERVED) {
    expect(Object.hasOwn(values, key), key).toBe(true);
    expect(Object.getOwnPropertyDescriptor(values, key)?.value, key).toBe(`fake-${key}${suffix}`);
  }
}

const ways: Array<[string, (name: string) => string[]]> = [
  ["--KEY=VALUE", (name) => ["secret", "create", name, ...RESERVED.map((key) => `--${key}=fake-${key}`)]],
  [
    "--values JSON",
    (name) => [
      "secret",
      "create",
      name,
      "--values",
      `{${RESERVED.map((key) => `"${key}": "fake-${key}"`).join(", ")}}`,
    ],
  ],
  [
    "--values YAML",
    (name) => ["secret", "create", name, "--values", RESERVED.map((key) => `${key}: fake-${key}`).join("\n")],
  ],
];

describe("keys named like Object.prototype members", () => {
  for (const [way, args] of ways) {
    it(`round-trip as own keys when given by ${way}`, () => {
      const s = session();
      s.ok(args("proto"));
      expectOwn(valuesOf(s, "proto"));
      expect(s.ok(["secret", "get", "proto", "--key", "__proto__"])).toBe("fake-__proto__\n");
      expect(s.ok(["secret", "get", "proto", "--key", "hasOwnProperty"])).toBe("fake-hasOwnProperty\n");
    });
  }

  it("reach coffer run as variables, and survive export and re-import", () => {
    const s = session();
    s.ok(ways[0]![1]("proto"));
    const names = ["__PROTO__", "CONSTRUCTOR", "PROTOTYPE", "HASOWNPROPERTY"];
    const out = s.ok([
      "run",
      "-s",
      "proto",
      "--",
      node,
      "-e",
      `console.log(JSON.stringify(${JSON.stringify(names)}.map((n) => process.env[n])))`,
    ]);
    expect(JSON.parse(out)).toEqual(RESERVED.map((key) => `fake-${key}`));
    const dir = tempDir();
    for (const file of ["proto.yaml", "proto.json"]) {
      s.ok(["secret", "export", "proto", "-o", file], { cwd: dir });
      const copy = `copy-${file.replace(".", "-")}`;
      s.ok(["secret", "create", copy, "--values", `@${file}`], { cwd: dir });
      expectOwn(valuesOf(s, copy));
    }
    expect(readFileSync(path.join(dir, "proto.json"), "utf8")).toContain('"__proto__": "fake-__proto__"');
  });

  it("update sets them as own keys", () => {
    const s = session();
    s.ok(["secret", "create", "proto", "--plain=fake-plain"]);
    s.ok(["secret", "update", "proto", ...RESERVED.map((key) => `--${key}=fake-${key}`)]);
    expectOwn(valuesOf(s, "proto"));
  });
});

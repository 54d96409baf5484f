// The V8 flags the server is launched with (src/launch-flags.ts) are the ones both server images
// set and the load benchmark uses: a change to one that forgets the others fails here. And V8 does
// keep the young generation within them under allocation churn, the reason they exist.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SERVER_NODE_FLAGS } from "../src/launch-flags.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const nodeOptionsOf = (dockerfile: string) =>
  /^\s*NODE_OPTIONS="([^"]*)"/m.exec(readFileSync(path.join(root, dockerfile), "utf8"))?.[1];

describe("the server's launch flags", () => {
  it.each(["docker/coffer/Dockerfile", "packages/server/Dockerfile"])(
    "%s sets them as NODE_OPTIONS",
    (file) => {
      expect(nodeOptionsOf(file)).toBe(SERVER_NODE_FLAGS.join(" "));
    },
  );

  it("the load benchmark launches the server with them", () => {
    const bench = readFileSync(path.join(root, "packages/server/bench/load.bench.ts"), "utf8");
    expect(bench).toMatch(/NODE_OPTIONS: serverNodeOptions/);
    expect(bench).toMatch(/SERVER_NODE_FLAGS\.join\(" "\)/);
  });

  it("keep V8's young generation small under allocation churn", () => {
    // A few hundred MB of short-lived objects: without the flags, new space grows to tens of MiB.
    const script = `
      let keep = [];
      for (let i = 0; i < 3e6; i++) { keep.push({ i, s: "x" + i }); if (keep.length > 5e4) keep = []; }
      const space = require("node:v8").getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
      process.stdout.write(String(space.space_size));`;
    const newSpace = (nodeOptions: string) =>
      Number(
        execFileSync(process.execPath, ["-e", script], {
          env: { ...process.env, NODE_OPTIONS: nodeOptions },
          encoding: "utf8",
        }),
      );
    const limited = newSpace(SERVER_NODE_FLAGS.join(" "));
    expect(limited).toBeLessThanOrEqual(3 * 4 * 1024 * 1024);
    expect(newSpace("")).toBeGreaterThan(limited);
  });
});

// The skip/fallback/fail decision (plan.ts) as a table, then its inputs for real: the Docker engine
// here asked about images that are present, missing locally, and not pullable (no registry).
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { type DockerStatus, dockerStatus } from "../src/docker.js";
import { imageStatus } from "../src/image-status.js";
import { decideBackend } from "../src/plan.js";
import { dockerRequired, isCi } from "../src/settings.js";

const up: DockerStatus = { available: true };
const down: DockerStatus = { available: false, reason: "no Docker engine: (fake)" };
const present = [{ image: "postgres:17", status: { available: true, via: "present" } as const }];
const missing = [
  {
    image: "postgres:17",
    status: { available: false, reason: "the image postgres:17 cannot be pulled (fake)" } as const,
  },
];

describe("decideBackend", () => {
  const cases: Array<
    [string, Record<string, string>, DockerStatus, typeof present | typeof missing, string]
  > = [
    ["engine and image: run", {}, up, present, "run"],
    ["engine and image in CI: run", { CI: "true" }, up, present, "run"],
    ["developer, no engine: fallback", {}, down, [], "fallback"],
    ["developer, engine without the image (offline, pull limit): fallback", {}, up, missing, "fallback"],
    ["CI, no engine: fail", { CI: "true" }, down, [], "fail"],
    ["CI=1, image missing: fail", { CI: "1" }, up, missing, "fail"],
    [
      "CI, image missing, COFFER_CI_DOCKER=0: fallback on purpose",
      { CI: "true", COFFER_CI_DOCKER: "0" },
      up,
      missing,
      "fallback",
    ],
    ["CI=false is not CI: fallback", { CI: "false" }, down, [], "fallback"],
    ["COFFER_TEST_REQUIRE_DOCKER=1 anywhere: fail", { COFFER_TEST_REQUIRE_DOCKER: "1" }, up, missing, "fail"],
    [
      "COFFER_TEST_REQUIRE_DOCKER=1 beats COFFER_CI_DOCKER=0",
      { COFFER_TEST_REQUIRE_DOCKER: "1", CI: "true", COFFER_CI_DOCKER: "0" },
      down,
      [],
      "fail",
    ],
  ];
  test.each(cases)("%s", (_title, env, engine, images, action) => {
    expect(decideBackend({ env, engine, images }).action).toBe(action);
  });

  test("a failure says why Docker is required and what is missing; a fallback says what is missing", () => {
    expect(decideBackend({ env: { CI: "true" }, engine: up, images: missing })).toEqual({
      action: "fail",
      problem: "the image postgres:17 cannot be pulled (fake)",
      reason:
        "Docker is required because this is CI (CI=true; set COFFER_CI_DOCKER=0 to use the fallbacks on purpose), but the image postgres:17 cannot be pulled (fake)",
    });
    expect(decideBackend({ env: {}, engine: down, images: [] })).toEqual({
      action: "fallback",
      problem: "no Docker engine: (fake)",
    });
  });
});

// With the real engine: skipped where there is none, unless Docker is required (then it fails).
const engine = await dockerStatus();
describe.skipIf(!engine.available && !dockerRequired())("image checks on this Docker engine", () => {
  test("an image that is neither here nor pullable is unavailable, with the engine's reason", async () => {
    const status = await imageStatus("coffer-test/no-such-image:0");
    expect(status.available).toBe(false);
    if (!status.available) {
      expect(status.reason).toMatch(
        /^the image coffer-test\/no-such-image:0 is not on this Docker engine and cannot be pulled: ./,
      );
    }
  });

  test("a missing local/ image says how to build it, without asking a registry", async () => {
    const status = await imageStatus("local/no-such-image:0");
    expect(status).toEqual({
      available: false,
      reason:
        "the image local/no-such-image:0 is not on this Docker engine; build it with scripts/ci/build-images.sh (or unset the variable that selects it, to use the upstream image)",
    });
  });

  test("under one run directory, parallel processes leave the pull to one of them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "coffer-testkit-run-"));
    const module = fileURLToPath(new URL("../dist/image-status.js", import.meta.url));
    const code = `import(${JSON.stringify(module)}).then(async (m) => console.log(JSON.stringify(await m.imageStatus("coffer-test/no-such-image:1"))))`;
    try {
      const answers = await Promise.all(
        [1, 2, 3].map(
          () =>
            new Promise<string>((resolve, reject) => {
              const child = spawn(process.execPath, ["-e", code], {
                env: { ...process.env, COFFER_TEST_RUN_DIR: dir },
                stdio: ["ignore", "pipe", "inherit"],
              });
              let out = "";
              child.stdout.on("data", (chunk) => {
                out += chunk;
              });
              child.on("error", reject);
              child.on("close", () => resolve(out.trim()));
            }),
        ),
      );
      expect(new Set(answers).size).toBe(1);
      expect(JSON.parse(answers[0]!).available).toBe(false);
      // One lock (the worker that pulled) and one answer the others read.
      const files = readdirSync(join(dir, "images"));
      expect(files.filter((file) => file.endsWith(".lock"))).toHaveLength(1);
      expect(files.filter((file) => file.endsWith(".json"))).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.skipIf(!process.env.COFFER_TEST_NODE_IMAGE)("an image on the engine is present", async () => {
    expect(await imageStatus(process.env.COFFER_TEST_NODE_IMAGE!)).toEqual({
      available: true,
      via: "present",
    });
  });
});

test("isCi reads CI as CI providers set it", () => {
  expect(isCi({ CI: "true" })).toBe(true);
  expect(isCi({ CI: "1" })).toBe(true);
  expect(isCi({ CI: "woodpecker" })).toBe(true);
  expect(isCi({ CI: "false" })).toBe(false);
  expect(isCi({ CI: "0" })).toBe(false);
  expect(isCi({ CI: "" })).toBe(false);
  expect(isCi({})).toBe(false);
});

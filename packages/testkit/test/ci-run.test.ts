// .ci/run's Docker decision, run for real with stand-ins: a copy of the script in a scratch
// checkout whose ./dev, Docker install, image builds and docker CLI are stubs (so nothing is
// installed, no test suite runs, and its cleanup step cannot touch this machine's containers or
// embedded servers). Docker that cannot be had must fail the CI run unless COFFER_CI_DOCKER=0.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";

const ciRun = fileURLToPath(new URL("../../../.ci/run", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "coffer-ci-run-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function script(path: string, body: string) {
  writeFileSync(path, `#!/usr/bin/env bash\n${body}\n`);
  chmodSync(path, 0o755);
}

/** Runs the copied .ci/run with a Docker install that succeeds or fails; returns its output. */
function runCi(dockerInstalls: boolean, env: Record<string, string> = {}) {
  const root = mkdtempSync(join(scratch, "checkout-"));
  const bin = join(root, "stub-bin");
  for (const dir of [".ci", "scripts/ci", "stub-bin", "tmp"]) mkdirSync(join(root, dir), { recursive: true });
  copyFileSync(ciRun, join(root, ".ci/run"));
  script(
    join(root, "dev"),
    `if [ "$1" = test ]; then
  echo "tests saw CI=\${CI-} REQUIRE=\${COFFER_TEST_REQUIRE_DOCKER-} TEST_DOCKER=\${COFFER_TEST_DOCKER-} CI_DOCKER=\${COFFER_CI_DOCKER-}"
  echo "3 passed, 0 failed, 0 skipped"
fi`,
  );
  script(join(root, "scripts/ci/install-docker.sh"), `exit ${dockerInstalls ? 0 : 1}`);
  script(join(root, "scripts/ci/build-images.sh"), "exit 0");
  script(join(root, "scripts/ci/install-test-tools.sh"), "exit 0");
  script(join(root, "scripts/build-image.sh"), "exit 0");
  script(join(bin, "docker"), "exit 0"); // the cleanup step finds no containers
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    TMPDIR: join(root, "tmp"),
  };
  for (const name of ["CI", "COFFER_CI_DOCKER", "COFFER_TEST_REQUIRE_DOCKER", "COFFER_TEST_DOCKER"]) {
    delete childEnv[name];
  }
  const result = spawnSync("bash", [join(root, ".ci/run")], {
    cwd: root,
    env: { ...childEnv, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe(".ci/run", () => {
  test("without Docker it FAILS, says why, and the tests run with Docker required in CI", () => {
    const run = runCi(false);
    expect(run.code).toBe(1);
    expect(run.output).toContain("[ci] ## ERROR: NO DOCKER, SO THIS RUN FAILS");
    expect(run.output).toContain("[ci] ## no Docker engine could be installed or started");
    expect(run.output).toContain(
      "[ci] ## ERROR: THIS RUN FAILS: no Docker engine could be installed or started",
    );
    expect(run.output).toContain("tests saw CI=true REQUIRE=1 TEST_DOCKER= CI_DOCKER=");
  });

  test("COFFER_CI_DOCKER=0 runs the fallbacks on purpose: green, with warnings", () => {
    const run = runCi(false, { COFFER_CI_DOCKER: "0" });
    expect(run.code).toBe(0);
    expect(run.output).toContain("[ci] ## WARNING: TESTS RUN WITHOUT DOCKER");
    expect(run.output).toContain("tests saw CI=true REQUIRE= TEST_DOCKER=0 CI_DOCKER=0");
  });

  test("with Docker it runs as before: local images, Docker required", () => {
    const run = runCi(true);
    expect(run.code).toBe(0);
    expect(run.output).toContain("[ci] Docker tests: on (postgres local/postgres:15");
    expect(run.output).toContain("tests saw CI=true REQUIRE=1 TEST_DOCKER= CI_DOCKER=");
    expect(run.output).not.toContain("WARNING");
    expect(run.output).not.toContain("ERROR");
  });
});

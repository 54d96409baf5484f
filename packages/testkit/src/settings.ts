// Environment variables the testkit reads, in one place.

type Env = Record<string, string | undefined>;

/** CI=true (or any value but "", "0", "false"): what GitHub Actions, GitLab, Buildkite… set. */
export function isCi(env: Env = process.env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

/**
 * Why a backend that cannot run must FAIL its tests rather than skip or fall back, or undefined
 * when falling back is fine:
 * - COFFER_TEST_REQUIRE_DOCKER=1 (set by .ci/run when Docker works);
 * - CI (CI=true): a CI run without Docker must not be green with hundreds of tests skipped,
 *   unless COFFER_CI_DOCKER=0 asks for the fallbacks on purpose.
 * On a developer's machine (no CI) the fallbacks stay.
 */
export function dockerRequiredBecause(env: Env = process.env): string | undefined {
  if (env.COFFER_TEST_REQUIRE_DOCKER === "1") return "COFFER_TEST_REQUIRE_DOCKER=1";
  if (isCi(env) && env.COFFER_CI_DOCKER !== "0") {
    return `this is CI (CI=${env.CI}; set COFFER_CI_DOCKER=0 to use the fallbacks on purpose)`;
  }
  return undefined;
}

/** Whether a backend that cannot run fails its tests (see dockerRequiredBecause). */
export function dockerRequired(env: Env = process.env): boolean {
  return dockerRequiredBecause(env) !== undefined;
}

/** COFFER_TEST_DOCKER=0 treats Docker as absent even when it answers (forces the fallbacks). */
export function dockerDisabled(env: Env = process.env): boolean {
  return env.COFFER_TEST_DOCKER === "0";
}

/** The image to run: the override from `envVar` if set, else the upstream default. */
export function imageFor(envVar: string, upstreamDefault: string): string {
  const override = process.env[envVar]?.trim();
  return override ? override : upstreamDefault;
}

/**
 * The reaper image Testcontainers starts beside the first container of a process (as
 * testcontainers/build/reaper/reaper.js picks it), or undefined when the reaper is disabled.
 */
export function reaperImage(env: Env = process.env): string | undefined {
  if (env.TESTCONTAINERS_RYUK_DISABLED === "true") return undefined;
  return env.RYUK_CONTAINER_IMAGE?.trim() || "testcontainers/ryuk:0.14.0";
}

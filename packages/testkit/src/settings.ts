// Environment variables the testkit reads, in one place.

/** COFFER_TEST_REQUIRE_DOCKER=1 (set by CI): a missing Docker fails tests instead of skipping them. */
export function dockerRequired(): boolean {
  return process.env.COFFER_TEST_REQUIRE_DOCKER === "1";
}

/** COFFER_TEST_DOCKER=0 treats Docker as absent even when it answers (forces the fallbacks). */
export function dockerDisabled(): boolean {
  return process.env.COFFER_TEST_DOCKER === "0";
}

/** The image to run: the override from `envVar` if set, else the upstream default. */
export function imageFor(envVar: string, upstreamDefault: string): string {
  const override = process.env[envVar]?.trim();
  return override ? override : upstreamDefault;
}

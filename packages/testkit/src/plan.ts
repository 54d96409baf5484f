/**
 * The one place that decides what happens to a test backend (a database or emulator container):
 * run it, fall back (embedded PostgreSQL, or skip the suite with the reason), or fail the tests.
 *
 * Inputs: the environment (CI, COFFER_TEST_REQUIRE_DOCKER, COFFER_CI_DOCKER — see settings.ts),
 * whether a Docker engine answers, and whether each image the backend needs is present or could
 * be pulled. A backend that cannot run falls back on a developer's machine, and fails in CI unless
 * COFFER_CI_DOCKER=0 asks for the fallback on purpose.
 */
import { type DockerStatus, dockerStatus } from "./docker.js";
import { NotAvailable } from "./errors.js";
import { type ImageStatus, imageStatus } from "./image-status.js";
import { dockerRequiredBecause, reaperImage } from "./settings.js";

export type BackendPlan =
  | { action: "run" }
  /** Use the fallback: embedded PostgreSQL, or skip the suite. `problem` says why. */
  | { action: "fallback"; problem: string }
  /** Fail the tests: `reason` says why the fallback is not allowed and what went wrong. */
  | { action: "fail"; problem: string; reason: string };

export interface PlanInput {
  env: Record<string, string | undefined>;
  engine: DockerStatus;
  /** The status of each image the backend needs (its own, the reaper's); empty without an engine. */
  images: ReadonlyArray<{ image: string; status: ImageStatus }>;
}

export function decideBackend(input: PlanInput): BackendPlan {
  const problem = input.engine.available
    ? input.images.find((entry) => !entry.status.available)?.status
    : input.engine;
  if (problem === undefined || problem.available) return { action: "run" };
  const required = dockerRequiredBecause(input.env);
  if (required === undefined) return { action: "fallback", problem: problem.reason };
  return {
    action: "fail",
    problem: problem.reason,
    reason: `Docker is required because ${required}, but ${problem.reason}`,
  };
}

/**
 * The plan for a container on `image` here and now: asks the engine, then checks the image and
 * the reaper's image (present, or pulled once per run; see image-status.ts).
 */
export async function planContainer(image: string): Promise<BackendPlan> {
  const engine = await dockerStatus();
  const images: Array<{ image: string; status: ImageStatus }> = [];
  if (engine.available) {
    for (const needed of [image, reaperImage()]) {
      if (needed === undefined) continue;
      const status = await imageStatus(needed);
      images.push({ image: needed, status });
      if (!status.available) break;
    }
  }
  return decideBackend({ env: process.env, engine, images });
}

/** The NotAvailable to throw for a plan that is not "run". */
export function notAvailable(backend: string, plan: Exclude<BackendPlan, { action: "run" }>): NotAvailable {
  return new NotAvailable(backend, plan.action === "fail" ? plan.reason : plan.problem, plan.problem);
}

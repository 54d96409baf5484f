/**
 * Can this Docker engine run an image: is it present, or can it be pulled? Asked once per image
 * per process, and — when scripts/run-tests.mjs names a run directory — pulled at most once per
 * test run: the first worker to need an image tries the pull, the others wait for its answer.
 * Without this, a machine with Docker but no registry (offline, or over a registry's pull
 * limit) failed every container test with a registry error instead of falling back.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getContainerRuntimeClient, ImageName } from "testcontainers";
import { runDir } from "./run-record.js";

export type ImageStatus =
  | { available: true; via: "present" | "pulled" }
  | { available: false; reason: string };

/**
 * How long a worker waits for another worker's pull before trying itself (Docker then joins the
 * pull in progress). Below the 180 s hook timeout, so a worker whose puller died still answers.
 */
const WAIT_FOR_OTHER_PULL_MS = 150_000;

const known = new Map<string, Promise<ImageStatus>>();

export function imageStatus(image: string): Promise<ImageStatus> {
  let status = known.get(image);
  if (!status) {
    status = check(image);
    known.set(image, status);
  }
  return status;
}

async function check(image: string): Promise<ImageStatus> {
  const client = await getContainerRuntimeClient();
  const name = ImageName.fromString(image);
  if (await client.image.exists(name)) return { available: true, via: "present" };
  if (image.startsWith("local/")) {
    return {
      available: false,
      reason:
        `the image ${image} is not on this Docker engine; build it with scripts/ci/build-images.sh ` +
        "(or unset the variable that selects it, to use the upstream image)",
    };
  }
  return oncePerRun(image, async () => {
    try {
      await client.image.pull(name);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Our own images are built from the checkout, never published.
      const build = /(^|\/)coffer\/(server|emulators)[:@]/.exec(image)
        ? ` (build it with scripts/build-image.sh ${image.includes("server") ? "server" : "emulators"} ${image})`
        : "";
      return {
        available: false,
        reason: `the image ${image} is not on this Docker engine and cannot be pulled: ${engineMessage(message)}${build}`,
      };
    }
    // A pull whose stream reports an error (a pull limit after the manifest) still "succeeds".
    if (!(await client.image.exists(name))) {
      return {
        available: false,
        reason: `the image ${image} is not on this Docker engine and the pull ended without it (a registry's pull limit?)`,
      };
    }
    return { available: true, via: "pulled" };
  });
}

async function oncePerRun(image: string, pull: () => Promise<ImageStatus>): Promise<ImageStatus> {
  const dir = runDir();
  if (!dir) return pull();
  const base = join(dir, "images", createHash("sha256").update(image).digest("hex").slice(0, 16));
  mkdirSync(join(dir, "images"), { recursive: true });
  try {
    mkdirSync(`${base}.lock`); // atomic: exactly one worker gets to pull
  } catch {
    const answer = await waitForAnswer(`${base}.json`);
    return answer ?? pull();
  }
  const status = await pull();
  writeFileSync(`${base}.tmp`, JSON.stringify(status));
  renameSync(`${base}.tmp`, `${base}.json`);
  return status;
}

async function waitForAnswer(file: string): Promise<ImageStatus | undefined> {
  const until = Date.now() + WAIT_FOR_OTHER_PULL_MS;
  while (Date.now() < until) {
    try {
      return JSON.parse(readFileSync(file, "utf8")) as ImageStatus;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return undefined;
}

/** The engine's words without dockerode's "(HTTP code 500) server error - " in front. */
function engineMessage(message: string): string {
  return (message.split("\n")[0] ?? "").replace(/^\(HTTP code \d+\)[^-]*- /, "").trim();
}

// Nothing leaks when a test process dies: the reaper (Ryuk, or local/ryuk:1 where no registry is
// reachable) removes the containers of a process killed with SIGKILL.
//
// The test starts a reaper of its own for the orphan process (labelled so that no other
// Testcontainers process reuses it): Testcontainers joins the newest reaper already running on the
// engine, and one shared with other test files (or other users of the engine) reaps only when all
// of its clients are gone — the orphan's death alone could then not be observed.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { GenericContainer, getContainerRuntimeClient, Wait } from "testcontainers";
import { expect, test } from "vitest";
import { announce, planContainer } from "../src/index.js";
import { imageFor, reaperImage } from "../src/settings.js";

const orphanScript = fileURLToPath(new URL("./fixtures/orphan-container.mjs", import.meta.url));

/** A reaper only the orphan uses, reaping 2 s after its last client left instead of 10 s. */
async function startOwnReaper(image: string) {
  const client = await getContainerRuntimeClient();
  return (
    new GenericContainer(image)
      .withExposedPorts(8080)
      .withBindMounts([
        { source: client.info.containerRuntime.remoteSocketPath, target: "/var/run/docker.sock" },
      ])
      .withEnvironment({ RYUK_RECONNECTION_TIMEOUT: "2s" })
      // Testcontainers never reuses a reaper with this label.
      .withLabels({ TESTCONTAINERS_RYUK_TEST_LABEL: "true" })
      .withWaitStrategy(Wait.forLogMessage(/Started/))
      .start()
  );
}

/** Starts the orphan script and resolves with its container id; the caller kills the process. */
function startOrphan(reaper: string, label: string) {
  const child = spawn(process.execPath, [orphanScript], {
    env: {
      ...process.env,
      COFFER_ORPHAN_REAPER: reaper,
      COFFER_ORPHAN_LABEL: label,
      TESTCONTAINERS_RYUK_DISABLED: "true",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const id = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const match = /container-id=(\w+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("exit", (code) => reject(new Error(`orphan script exited (${code}) early:\n${output}`)));
  });
  return { child, id };
}

async function containerExists(id: string): Promise<boolean> {
  const client = await getContainerRuntimeClient();
  try {
    await client.container.getById(id).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

test("the containers of a killed test process are removed", { timeout: 90_000 }, async (context) => {
  const skip = (reason: string) => {
    announce(`reaper not tested: ${reason}`);
    context.skip(`reaper not tested: ${reason}`);
  };
  if (process.env.TESTCONTAINERS_RYUK_DISABLED === "true") skip("TESTCONTAINERS_RYUK_DISABLED=true");
  // The same decision as every backend: the engine, the orphan's image and the reaper's image.
  const plan = await planContainer(imageFor("COFFER_TEST_NODE_IMAGE", "node:24"));
  if (plan.action === "fail") throw new Error(plan.reason);
  if (plan.action === "fallback") skip(plan.problem);

  const reaper = await startOwnReaper(reaperImage()!);
  const orphan = startOrphan(`${reaper.getHost()}:${reaper.getMappedPort(8080)}`, randomUUID());
  const id = await orphan.id;
  expect(await containerExists(id)).toBe(true);
  orphan.child.kill("SIGKILL");

  // Bounded wait: 2 s reconnection timeout plus removal, with a wide margin for a busy machine.
  const deadline = Date.now() + 60_000;
  while ((await containerExists(id)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  expect(await containerExists(id)).toBe(false);
});

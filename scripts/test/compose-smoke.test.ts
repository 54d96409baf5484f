// docker-compose.yml run the way an operator runs it from a clone: for each profile, `up --build`
// (the images built from this checkout; CI's local base images through COFFER_TEST_*_IMAGE), wait
// until Docker calls the server healthy (GET /ready), create and read a secret through the REST API
// with the bootstrap token from the secret file, restart the server and its values backend, read
// again (the persistence promise, or for the in-memory demo: nothing left, names included), check
// the logs never showed the token, and `down -v`, also when a step failed. Each profile prints how
// long it took. In CI (CI=true) a missing engine or Compose fails; elsewhere it skips with the
// reason. A profile whose image this engine lacks (Vault: no registry here) skips with the reason.
import { afterEach, describe, expect, it, type TestContext } from "vitest";
import { ComposeStack, findCompose, imageOnEngine, setting } from "./compose-stack.ts";

const inCi =
  !["", "0", "false"].includes(setting("CI") ?? "") || setting("COFFER_TEST_REQUIRE_DOCKER") === "1";
const compose = findCompose();
const vaultImage = setting("COFFER_VAULT_IMAGE") ?? "hashicorp/vault:1.20";
const PROFILE_TIMEOUT = 900_000;

let stack: ComposeStack | undefined;
afterEach(() => {
  stack?.down();
  stack = undefined;
});

/** Starts the profile, or skips (developer machine) / fails (CI) when Compose cannot run here. */
async function start(context: TestContext, profile: string, server: string) {
  if ("missing" in compose) {
    if (inCi) throw new Error(`docker-compose.yml cannot be tried: ${compose.missing}`);
    context.skip(`docker-compose.yml not tried: ${compose.missing}`);
    throw new Error("unreachable");
  }
  stack = new ComposeStack(compose.command, profile);
  await stack.prepare();
  const times: Record<string, number> = {};
  let since = Date.now();
  const lap = (name: string) => {
    times[name] = (Date.now() - since) / 1000;
    since = Date.now();
  };
  stack.run(["build"], 600_000);
  lap("build");
  stack.run(["up", "-d"], 300_000);
  await stack.waitHealthy(server);
  lap("up to healthy");
  return { stack, times, lap };
}

function report(profile: string, times: Record<string, number>) {
  const total = Object.values(times).reduce((a, b) => a + b, 0);
  const parts = Object.entries(times).map(([name, seconds]) => `${name} ${seconds.toFixed(1)} s`);
  console.log(`[compose smoke] ${profile}: ${parts.join(", ")}; total ${total.toFixed(1)} s`);
}

async function createAndRead(running: ComposeStack) {
  const created = await running.api("POST", "/api/v1/secrets", {
    name: "smoke/db",
    values: { password: "not-a-real-pw-1" },
  });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const read = await running.api("GET", "/api/v1/secrets/by-name?name=smoke%2Fdb");
  expect(read.json).toMatchObject({ name: "smoke/db", values: { password: "not-a-real-pw-1" } });
}

function expectTokenNotLogged(running: ComposeStack) {
  const logs = running.run(["logs", "--no-color"]);
  expect(logs.length).toBeGreaterThan(0);
  expect(logs).not.toContain(running.token);
}

describe("docker-compose.yml, each profile from a clone", () => {
  it(
    "sql: values encrypted in PostgreSQL survive a restart of the server and of PostgreSQL",
    async (context) => {
      const { stack: running, times, lap } = await start(context, "sql", "coffer-sql");
      await createAndRead(running);
      running.run(["restart", "postgres", "coffer-sql"]);
      await running.waitHealthy("coffer-sql");
      lap("restart to healthy");
      const again = await running.api("GET", "/api/v1/secrets/by-name?name=smoke%2Fdb");
      expect(again.json).toMatchObject({ name: "smoke/db", values: { password: "not-a-real-pw-1" } });
      expectTokenNotLogged(running);
      running.down();
      stack = undefined;
      lap("down");
      report("sql", times);
    },
    PROFILE_TIMEOUT,
  );

  it(
    "emulators (demo): after a restart nothing is left, names included: no name without its value",
    async (context) => {
      const { stack: running, times, lap } = await start(context, "emulators", "coffer-aws");
      await createAndRead(running);
      running.run(["restart"]);
      await running.waitHealthy("coffer-aws");
      lap("restart to healthy");
      const listed = await running.api("GET", "/api/v1/secrets");
      expect(listed.json).toEqual({ items: [] });
      const gone = await running.api("GET", "/api/v1/secrets/by-name?name=smoke%2Fdb");
      expect(gone.status).toBe(404);
      expectTokenNotLogged(running);
      running.down();
      stack = undefined;
      lap("down");
      report("emulators", times);
    },
    PROFILE_TIMEOUT,
  );

  it(
    "vault: values in Vault (server mode, file storage) survive a restart of the server and of Vault",
    async (context) => {
      if (!("missing" in compose) && !imageOnEngine(vaultImage)) {
        // No container registry is reachable in CI, and Vault is not built from Debian packages.
        const reason = `the Vault image ${vaultImage} is not on this Docker engine and no registry is reachable here; pull it (or set COFFER_VAULT_IMAGE) to run this profile`;
        console.log(`[compose smoke] vault: skipped: ${reason}`);
        context.skip(reason);
      }
      const { stack: running, times, lap } = await start(context, "vault", "coffer-vault");
      await createAndRead(running);
      running.run(["restart", "vault", "coffer-vault"]);
      // Vault comes back sealed: `up` runs vault-init again, which unseals it (docs/operators.md).
      running.run(["up", "-d"], 300_000);
      await running.waitHealthy("coffer-vault");
      lap("restart to healthy");
      const again = await running.api("GET", "/api/v1/secrets/by-name?name=smoke%2Fdb");
      expect(again.json).toMatchObject({ name: "smoke/db", values: { password: "not-a-real-pw-1" } });
      expectTokenNotLogged(running);
      running.down();
      stack = undefined;
      lap("down");
      report("vault", times);
    },
    PROFILE_TIMEOUT,
  );
});

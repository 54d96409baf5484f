// A PostgreSQL that freezes (`docker pause`) under the server: every request, the bearer-token
// check included, gets a typed 503 with Retry-After within the database timeouts, and /ready
// says 503 as quickly — instead of hanging until the client gives up. The driver-level behaviour
// (timeouts, restarts) is tested in @coffer/sql's and @coffer/service's suites; this is the wiring.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { silentLogger } from "@coffer/core";
import { createService } from "@coffer/service";
import { openDatabase } from "@coffer/sql";
import { MemoryStore } from "@coffer/store-memory";
import { describeWithDatabase } from "@coffer/testkit/vitest";
import { expect, it } from "vitest";
import { buildApp, IdentityStore } from "../src/index.js";

const docker = promisify(execFile);

/**
 * The container publishing the database's port on the host (Testcontainers' own handle is not
 * exposed). `docker ps --filter publish=N` also matches a container whose IPv6 mapping uses host
 * port N, and so once paused another test file's MySQL instead of this PostgreSQL.
 */
async function containerOf(url: string): Promise<string> {
  const port = new URL(url).port;
  const { stdout } = await docker("docker", ["ps", "--no-trunc", "--format", "{{.ID}} {{.Ports}}"]);
  // IPv4 mappings only: the URL is 127.0.0.1, and this engine gives a container's IPv6 mapping a
  // host port of its own, which can equal another container's IPv4 port.
  const publishes = new RegExp(`(^|[\\s,])(127\\.0\\.0\\.1|0\\.0\\.0\\.0):${port}->`);
  const ids = stdout
    .split("\n")
    .filter((line) => publishes.test(line.slice(line.indexOf(" ") + 1)))
    .map((line) => line.slice(0, line.indexOf(" ")));
  if (ids.length !== 1)
    throw new Error(`expected one container publishing host port ${port}, found ${ids.length}`);
  return ids[0]!;
}

describeWithDatabase("postgres", (getDb) => {
  it("a frozen metadata database costs 503s with Retry-After within the timeouts, and /ready answers 503", async () => {
    const databaseUrl = `${getDb().url}?connectTimeoutMs=1500&queryTimeoutMs=1500`;
    const service = await createService({
      databaseUrl,
      dataDir: mkdtempSync(path.join(tmpdir(), "coffer-server-outage-")),
      store: () => new MemoryStore({ maxValueBytes: 4096 }),
      logger: silentLogger,
    });
    const database = openDatabase(databaseUrl);
    const identity = await IdentityStore.open(database);
    const { token } = (await identity.bootstrap("admin"))!;
    const app = await buildApp({ service, identity });
    const base = await app.listen({ host: "127.0.0.1", port: 0 });
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    try {
      const created = await fetch(`${base}/api/v1/secrets`, {
        method: "POST",
        headers,
        body: JSON.stringify({ name: "outage-db", values: { password: "fake-password" } }),
      });
      expect(created.status).toBe(201);
      const container = await containerOf(getDb().url);
      await docker("docker", ["pause", container]);
      let answers: Response[];
      let ready: Response;
      let elapsed: number;
      let readyMs: number;
      try {
        const started = performance.now();
        answers = await Promise.all(
          Array.from({ length: 6 }, () =>
            fetch(`${base}/api/v1/secrets/by-name?name=outage-db`, {
              headers,
              signal: AbortSignal.timeout(20_000),
            }),
          ),
        );
        elapsed = performance.now() - started;
        const readyStarted = performance.now();
        ready = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(20_000) });
        readyMs = performance.now() - readyStarted;
      } finally {
        await docker("docker", ["unpause", container]);
      }
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        expect(answer.headers.get("retry-after")).toBe("5");
        expect(((await answer.json()) as { error: { code: string } }).error.code).toBe("BACKEND_UNAVAILABLE");
      }
      expect(elapsed).toBeLessThan(6_000);
      expect(ready.status).toBe(503);
      expect(readyMs).toBeLessThan(6_000);
      console.info(
        `frozen PostgreSQL: 6 requests → 503 in ${Math.round(elapsed)} ms, /ready → 503 in ${Math.round(readyMs)} ms`,
      );
      // Thawed: served again.
      const deadline = Date.now() + 20_000;
      let status = 0;
      while (status !== 200 && Date.now() < deadline) {
        status = (await fetch(`${base}/api/v1/secrets/by-name?name=outage-db`, { headers })).status;
        if (status !== 200) await sleep(200);
      }
      expect(status).toBe(200);
    } finally {
      await app.close();
      await service.close();
      await database.close();
    }
  }, 120_000);
});

// The server image as operators run it: a container built by scripts/build-image.sh server, next
// to a PostgreSQL container holding the metadata, on one Docker network. CI builds the image and
// sets COFFER_TEST_SERVER_IMAGE; elsewhere this is skipped with that reason.
import { dockerStatus, NotAvailable } from "@coffer/testkit";
import { describeWith } from "@coffer/testkit/vitest";
import { PostgreSqlContainer } from "@testcontainers/postgresql";
import { GenericContainer, Network, Wait } from "testcontainers";
import { expect, it } from "vitest";

const BOOTSTRAP_TOKEN = `coffer_ci0smoke0000_${"t".repeat(43)}`;

async function startStack() {
  const image = process.env.COFFER_TEST_SERVER_IMAGE;
  if (!image) {
    throw new NotAvailable(
      "server image",
      "COFFER_TEST_SERVER_IMAGE is not set (build it with scripts/build-image.sh server)",
    );
  }
  const docker = await dockerStatus();
  if (!docker.available) throw new NotAvailable("server image", docker.reason);
  const network = await new Network().start();
  const postgres = await new PostgreSqlContainer(process.env.COFFER_TEST_POSTGRES_IMAGE ?? "postgres:17")
    .withNetwork(network)
    .withNetworkAliases("db")
    .start();
  const server = await new GenericContainer(image)
    .withNetwork(network)
    .withEnvironment({
      COFFER_DATABASE_URL: "postgres://test:test@db:5432/test",
      COFFER_STORE_TYPE: "memory",
      COFFER_SERVER_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
    })
    .withExposedPorts(8700)
    .withWaitStrategy(Wait.forHttp("/ready", 8700).forStatusCode(200))
    .withStartupTimeout(60_000)
    .start();
  const url = `http://${server.getHost()}:${server.getMappedPort(8700)}`;
  console.log(
    `[server image] ${image} listening at ${url}, metadata in ${process.env.COFFER_TEST_POSTGRES_IMAGE ?? "postgres:17"}`,
  );
  return {
    url,
    async stop() {
      await server.stop();
      await postgres.stop();
      await network.stop();
    },
  };
}

describeWith("server image", startStack, (stack) => {
  it("serves the API from the container with PostgreSQL metadata: bootstrap token, create, get, list", async () => {
    const headers = { authorization: `Bearer ${BOOTSTRAP_TOKEN}`, "content-type": "application/json" };
    const created = await fetch(`${stack().url}/api/v1/secrets`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "smoke", values: { password: "fake-smoke-pw" } }),
    });
    expect(created.status).toBe(201);
    const got = await fetch(`${stack().url}/api/v1/secrets/by-name?name=smoke`, { headers });
    expect(((await got.json()) as { values: unknown }).values).toEqual({ password: "fake-smoke-pw" });
    const listed = (await (await fetch(`${stack().url}/api/v1/secrets`, { headers })).json()) as {
      items: Array<{ name: string }>;
    };
    expect(listed.items.map((item) => item.name)).toContain("smoke");
    // The readiness details (database user and host) are for admins; anyone else gets the status.
    expect(await (await fetch(`${stack().url}/ready`)).json()).toEqual({ status: "ready" });
    const ready = (await (await fetch(`${stack().url}/ready`, { headers })).json()) as {
      metadata: { message: string };
    };
    expect(ready.metadata.message).toMatch(/^postgres:\/\/test:\*\*\*@db:5432\/test/);
  });

  it("serves the web dashboard at /ui, with its Content-Security-Policy", async () => {
    const page = await fetch(`${stack().url}/ui/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const script = (await page.text()).match(/src="(\/ui\/[^"]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`${stack().url}${script}`)).status).toBe(200);
  });
});

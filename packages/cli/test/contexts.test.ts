// Named contexts (login --context, COFFER_CONTEXT, context list|use|remove), whoami and status, and
// logout revoking its token — against two real `coffer server start` processes, each command a
// subprocess with its own HOME (where the credentials file lives).
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coffer, cofferEnv, startCoffer, tempDir } from "./helpers.js";

interface Server {
  process: ReturnType<typeof startCoffer>;
  url: string;
  token: string;
}

const started: Server[] = [];

async function startServer(): Promise<Server> {
  const child = startCoffer(["server", "start", "--port", "0"], {
    env: cofferEnv(tempDir(), { COFFER_LOG_LEVEL: "warn" }),
  });
  const output = await new Promise<string>((resolve, reject) => {
    let text = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk;
      if (text.includes("listening on")) resolve(text);
    });
    child.once("exit", (code) => reject(new Error(`server exited ${code}: ${text}`)));
  });
  const server = {
    process: child,
    url: /listening on (http:\/\/\S+)/.exec(output)![1]!,
    token: /^ {2}(coffer_\S+)$/m.exec(output)![1]!,
  };
  started.push(server);
  return server;
}

let a: Server;
let b: Server;
beforeAll(async () => {
  [a, b] = await Promise.all([startServer(), startServer()]);
});
afterAll(() => {
  for (const server of started) server.process.kill("SIGTERM");
});

const home = tempDir();
const credentials = path.join(home, ".config", "coffer", "credentials.json");
const run = (args: string[], extra: Record<string, string> = {}) =>
  coffer(args, { env: cofferEnv(home, extra) });
const json = (args: string[], extra: Record<string, string> = {}) => {
  const result = run([...args, "--json"], extra);
  if (result.code !== 0) throw new Error(`coffer ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout);
};
/** Whether a token still works on its server (asked with COFFER_URL/COFFER_TOKEN, no saved login). */
const tokenWorks = (server: Server, token = server.token) =>
  coffer(["whoami"], { env: cofferEnv(tempDir(), { COFFER_URL: server.url, COFFER_TOKEN: token }) }).code ===
  0;

describe("contexts against two servers", () => {
  it("saves a login per context, in one private file, and uses the last one", () => {
    expect(run(["login", "--url", a.url, "--token", a.token]).code).toBe(0);
    const staging = run(["login", "--context", "staging", "--url", b.url, "--token", b.token]);
    expect(staging.code).toBe(0);
    expect(staging.stdout).toContain("as the context 'staging'");
    expect(statSync(credentials).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(credentials)).mode & 0o777).toBe(0o700);
    expect(json(["whoami"])).toEqual({
      mode: "remote",
      user: "admin",
      role: "admin",
      server: b.url,
      context: "staging",
    });
    expect(json(["context", "list"])).toEqual({
      inUse: "staging",
      items: [
        { name: "default", server: a.url, inUse: false },
        { name: "staging", server: b.url, inUse: true },
      ],
    });
    // Never a token in what it prints.
    expect(run(["context", "list"]).stdout).not.toContain("coffer_");
  });

  it("sends commands to the context in use, and switches", () => {
    expect(run(["secret", "create", "only-on-staging", "--k=fake-staging"]).code).toBe(0);
    expect(run(["context", "use", "default"]).code).toBe(0);
    expect(json(["whoami"])).toMatchObject({ server: a.url, context: "default" });
    expect(run(["secret", "get", "only-on-staging"]).code).toBe(3);
    // COFFER_CONTEXT for one command, without changing the current context.
    expect(
      run(["secret", "get", "only-on-staging", "--key", "k"], { COFFER_CONTEXT: "staging" }).stdout,
    ).toBe("fake-staging\n");
    expect(json(["context", "list"]).inUse).toBe("default");
    expect(json(["context", "list"], { COFFER_CONTEXT: "staging" }).inUse).toBe("staging");
  });

  it("status says who, where and which role; in local mode the user, store type and data directory", () => {
    expect(json(["status"])).toMatchObject({
      mode: "remote",
      user: "admin",
      role: "admin",
      server: a.url,
      context: "default",
      status: "ready",
      store: { type: "sql", status: "ready" },
      dataDir: null,
    });
    const human = run(["status"]).stdout;
    expect(human).toContain(`admin (admin) on ${a.url}, context 'default'`);
    const localDir = tempDir();
    const local = coffer(["status", "--json"], { env: cofferEnv(localDir) });
    expect(JSON.parse(local.stdout)).toMatchObject({
      mode: "local",
      user: "alice",
      role: null,
      server: null,
      context: null,
      store: { type: "sql" },
      dataDir: localDir,
    });
    expect(run(["context", "use", "local"]).code).toBe(0);
    expect(json(["whoami"])).toMatchObject({ mode: "local", user: "alice", context: null });
    expect(run(["context", "use", "default"]).code).toBe(0);
  });

  it("refuses a COFFER_CONTEXT it does not have (configuration, exit 6) and the name local for a login", () => {
    const unknown = run(["whoami"], { COFFER_CONTEXT: "prod" });
    expect(unknown.code).toBe(6);
    expect(unknown.stderr).toMatch(/COFFER_CONTEXT names 'prod'.*default, staging/);
    const before = readFileSync(credentials, "utf8");
    const local = run(["login", "--context", "local", "--url", a.url, "--token", a.token]);
    expect(local.code).toBe(5);
    expect(readFileSync(credentials, "utf8")).toBe(before);
    expect(run(["context", "use", "prod"]).code).toBe(3);
  });

  it("context remove revokes that context's token on its server and forgets it", () => {
    expect(tokenWorks(b)).toBe(true);
    const removed = json(["context", "remove", "staging"]);
    expect(removed).toMatchObject({ context: "staging", server: b.url, revoked: true });
    expect(tokenWorks(b)).toBe(false);
    expect(json(["context", "list"]).items.map((item: { name: string }) => item.name)).toEqual(["default"]);
    expect(json(["whoami"])).toMatchObject({ server: a.url, context: "default" });
  });

  it("logout revokes the token: it no longer works, and coffer is back on the local store", () => {
    expect(tokenWorks(a)).toBe(true);
    const out = run(["logout"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/the token is revoked\. Now using the local store\./);
    expect(tokenWorks(a)).toBe(false);
    expect(json(["whoami"])).toMatchObject({ mode: "local" });
    expect(() => statSync(credentials)).toThrow();
    expect(json(["logout"])).toMatchObject({ context: null, revoked: false });
  });

  it("keeps the login when the server cannot revoke the token, unless --no-revoke", async () => {
    const c = await startServer();
    expect(run(["login", "--context", "gone", "--url", c.url, "--token", c.token]).code).toBe(0);
    c.process.kill("SIGKILL");
    await new Promise((resolve) => c.process.once("exit", resolve));
    const refused = run(["logout"]);
    expect(refused.code).toBe(7);
    expect(refused.stderr).toMatch(/was not revoked .*you are still logged in/);
    expect(json(["context", "list"]).inUse).toBe("gone");
    expect(json(["logout", "--no-revoke"])).toMatchObject({ context: "gone", revoked: false });
    expect(json(["context", "list"])).toEqual({ inUse: "local", items: [] });
  });

  it("reads a credentials file of the first format as the context default", () => {
    const legacyHome = tempDir();
    const file = path.join(legacyHome, ".config", "coffer", "credentials.json");
    // As an older coffer login wrote it: { url, token }, mode 0600.
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify({ url: "http://127.0.0.1:9", token: "coffer_legacy" }), {
      mode: 0o600,
    });
    const listed = coffer(["context", "list", "--json"], { env: cofferEnv(legacyHome) });
    expect(JSON.parse(listed.stdout)).toEqual({
      inUse: "default",
      items: [{ name: "default", server: "http://127.0.0.1:9", inUse: true }],
    });
  });
});

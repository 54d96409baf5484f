// OutageProxy against a loopback HTTP server: requests pass through until a cut; a cut "before"
// drops the request unsent, a cut "after" lets the backend apply it and drops the answer; either
// way every request after it is dropped until restore().
import { createServer, type Server } from "node:http";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { OutageProxy } from "../src/index.js";

let backend: Server;
const received: string[] = [];
let proxy: OutageProxy;

beforeAll(async () => {
  backend = createServer((request, response) => {
    received.push(`${request.method} ${request.url}`);
    response.end(`answer to ${request.url}`);
  });
  await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
  const { port } = backend.address() as { port: number };
  proxy = await OutageProxy.start(`http://127.0.0.1:${port}`);
});
afterEach(() => {
  proxy.restore();
  received.length = 0;
});
afterAll(async () => {
  await proxy?.stop();
  await new Promise((resolve) => backend?.close(resolve));
});

/** The answer's text, or "dropped" when the connection was cut. */
async function call(path: string, method = "GET"): Promise<string> {
  try {
    const response = await fetch(`${proxy.url}${path}`, {
      method,
      ...(method === "POST" && { body: "fake-body" }),
      headers: { connection: "close" },
    });
    return await response.text();
  } catch {
    return "dropped";
  }
}

it("forwards requests and records each one, body included", async () => {
  expect(await call("/a")).toBe("answer to /a");
  expect(await call("/b", "POST")).toBe("answer to /b");
  expect(proxy.seen.slice(-2)).toEqual([
    { method: "GET", url: "/a", body: "" },
    { method: "POST", url: "/b", body: "fake-body" },
  ]);
  expect(received).toEqual(["GET /a", "POST /b"]);
  expect(proxy.down).toBe(false);
});

it("a cut before a request drops it unsent, and everything after it until restore()", async () => {
  proxy.cutAt("before", (request) => request.url === "/cut");
  expect(await call("/first")).toBe("answer to /first");
  expect(await call("/cut")).toBe("dropped");
  expect(proxy.down).toBe(true);
  expect(await call("/later")).toBe("dropped");
  expect(received).toEqual(["GET /first"]);
  proxy.restore();
  expect(await call("/again")).toBe("answer to /again");
  expect(received).toEqual(["GET /first", "GET /again"]);
});

it("a cut after a request lets the backend apply it and drops the answer", async () => {
  proxy.cutAt("after", (request) => request.url === "/cut");
  expect(await call("/cut", "POST")).toBe("dropped");
  expect(received).toEqual(["POST /cut"]);
  expect(await call("/later")).toBe("dropped");
  expect(received).toEqual(["POST /cut"]);
});

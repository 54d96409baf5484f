// The OpenAPI document is served by the running server and checked in as openapi.json, so API
// changes show up in review. After changing a route: COFFER_UPDATE_OPENAPI=1 ./dev test packages/server/test/openapi
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { call, startTestServer, type TestServer } from "./helpers.js";

const checkedIn = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../openapi.json");
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

it("serves the OpenAPI document without a token, and it matches the checked-in openapi.json", async () => {
  const response = await call(server, undefined, "GET", "/api/v1/openapi.json");
  expect(response.status).toBe(200);
  const document = response.body as { openapi: string; paths: Record<string, unknown> };
  expect(document.openapi).toBe("3.1.0");
  expect(Object.keys(document.paths)).toEqual(
    expect.arrayContaining(["/api/v1/secrets", "/api/v1/secrets/{id}", "/ready"]),
  );
  const text = `${JSON.stringify(document, null, 2)}\n`;
  if (process.env.COFFER_UPDATE_OPENAPI === "1") writeFileSync(checkedIn, text);
  expect(
    text,
    "openapi.json is out of date: run COFFER_UPDATE_OPENAPI=1 ./dev test packages/server/test/openapi",
  ).toBe(readFileSync(checkedIn, "utf8"));
});

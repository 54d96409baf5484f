import { expect, test } from "vitest";
import { startContainer } from "../src/index.js";
import { describeWith } from "../src/vitest.js";

// A tiny HTTP server run by node inside the container: /health for readiness, / echoes env.
const server = `
const http = require("node:http");
http.createServer((req, res) => {
  if (req.url === "/health") return res.end("ok");
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ greeting: process.env.GREETING, node: process.version }));
}).listen(8080, "0.0.0.0", () => console.log("server listening on 8080"));
`;

const nodeImage = { image: "node:24", imageEnv: "COFFER_TEST_NODE_IMAGE" };

describeWith(
  "container with an HTTP readiness check",
  () =>
    startContainer({
      name: "node-http",
      ...nodeImage,
      port: 8080,
      command: ["node", "-e", server],
      env: { GREETING: "hello-from-env" },
      ready: { http: "/health" },
    }),
  (getService) => {
    test("is reachable on its mapped port once ready", async () => {
      const service = getService();
      expect(service.image).toBe(process.env.COFFER_TEST_NODE_IMAGE ?? "node:24");
      expect(service.url).toBe(`http://${service.host}:${service.port}`);
      const body = (await (await fetch(service.url)).json()) as { greeting: string; node: string };
      expect(body.greeting).toBe("hello-from-env");
      expect(body.node).toMatch(/^v24\./);
    });
  },
);

describeWith(
  "container with a log-line readiness check",
  () =>
    startContainer({
      name: "node-log",
      ...nodeImage,
      port: 8080,
      command: ["node", "-e", server],
      ready: { log: /server listening/ },
    }),
  (getService) => {
    test("answers right after the log line appeared", async () => {
      const response = await fetch(`${getService().url}/health`);
      expect(await response.text()).toBe("ok");
    });
  },
);

// Stand-in for testcontainers/ryuk, the reaper that removes what a test session started once its
// test processes are gone (even when they were killed). Same contract as the original, as far as
// testcontainers-node uses it:
//   - listens on TCP 8080 and prints "Started" (testcontainers waits for that line);
//   - each client sends lines of filters, `label=key=value` (a URL query string), answered "ACK";
//   - RYUK_CONNECTION_TIMEOUT (default 60s): exit if no client connects at all;
//   - RYUK_RECONNECTION_TIMEOUT (default 10s): that long after the last client disconnected, remove
//     every container, network, volume and image matching a filter, then exit.
// Runs as a container with the Docker socket bind-mounted at /var/run/docker.sock.
import { request } from "node:http";
import { createServer } from "node:net";
import { hostname } from "node:os";

// Settings come from the environment, with the names and defaults of the original Ryuk.
const setting = (name, fallback) => process.env[name] ?? fallback;
const PORT = Number(setting("RYUK_PORT", 8080));
const CONNECTION_TIMEOUT_MS = parseDuration(setting("RYUK_CONNECTION_TIMEOUT"), 60_000);
const RECONNECTION_TIMEOUT_MS = parseDuration(setting("RYUK_RECONNECTION_TIMEOUT"), 10_000);
const REMOVE_RETRIES = Number(setting("RYUK_REMOVE_RETRIES", 10));
const SOCKET = setting("DOCKER_HOST", "unix:///var/run/docker.sock").replace(/^unix:\/\//, "");
// Docker sets a container's hostname to the first 12 characters of its id.
const SELF = hostname();

/** "10s", "500ms", "1m" or a plain number of seconds. */
function parseDuration(text, fallbackMs) {
  const match = /^(\d+)(ms|s|m)?$/.exec(text ?? "");
  if (!match) return fallbackMs;
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] ?? "s"];
}

function log(message) {
  console.log(`${new Date().toISOString()} ${message}`);
}

function docker(method, path) {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: SOCKET, method, path }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => {
        let parsed = body;
        try {
          parsed = body ? JSON.parse(body) : null;
        } catch {
          // plain-text error bodies stay as they are
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** Filters received from clients, as Docker API label filters ("key=value" or "key"). */
const labels = new Set();
let clients = 0;
let everConnected = false;
let lastDisconnectSeconds = 0;
let reapTimer;
let reaping = false;

const server = createServer((socket) => {
  if (reaping) {
    socket.destroy();
    return;
  }
  clients++;
  everConnected = true;
  clearTimeout(reapTimer);
  let pending = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk) => {
    pending += chunk;
    for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
      const line = pending.slice(0, end).trim();
      pending = pending.slice(end + 1);
      if (!line) continue;
      for (const [key, value] of new URLSearchParams(line)) {
        if (key === "label") labels.add(value);
      }
      socket.write("ACK\n");
    }
  });
  socket.on("error", () => {});
  socket.on("close", () => {
    clients--;
    if (clients > 0) return;
    lastDisconnectSeconds = Math.ceil(Date.now() / 1000);
    reapTimer = setTimeout(reap, RECONNECTION_TIMEOUT_MS);
  });
});

server.listen(PORT, "0.0.0.0", () => log("Started"));

setTimeout(() => {
  if (!everConnected) {
    log(`no client connected within ${CONNECTION_TIMEOUT_MS} ms; exiting`);
    process.exit(0);
  }
}, CONNECTION_TIMEOUT_MS).unref();

process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));

const seconds = (iso) => Math.floor(Date.parse(iso) / 1000);

async function reap() {
  reaping = true;
  server.close();
  log(`no client for ${RECONNECTION_TIMEOUT_MS} ms; removing resources labelled ${[...labels].join(", ")}`);
  try {
    const removed = await removeMatching();
    log(
      `removed ${removed.containers} containers, ${removed.networks} networks, ${removed.volumes} volumes, ${removed.images} images`,
    );
    process.exit(0);
  } catch (error) {
    log(`reaping failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

/**
 * Removes what matches a filter and was created before the last client left. Anything newer
 * belongs to a client that connected while this reaper was shutting down, and is left alone.
 */
async function removeMatching() {
  const removed = { containers: 0, networks: 0, volumes: 0, images: 0 };
  const before = (created) => created <= lastDisconnectSeconds;
  for (const label of labels) {
    const filter = encodeURIComponent(JSON.stringify({ label: [label] }));
    const containers = (await docker("GET", `/containers/json?all=1&filters=${filter}`)).body ?? [];
    for (const container of containers) {
      if (container.Id.startsWith(SELF) || !before(container.Created)) continue;
      if (await removeWithRetries(`/containers/${container.Id}?force=1&v=1`)) removed.containers++;
    }
    const networks = (await docker("GET", `/networks?filters=${filter}`)).body ?? [];
    for (const network of networks) {
      if (!before(seconds(network.Created))) continue;
      if (await removeWithRetries(`/networks/${network.Id}`)) removed.networks++;
    }
    const volumes = (await docker("GET", `/volumes?filters=${filter}`)).body?.Volumes ?? [];
    for (const volume of volumes) {
      if (!before(seconds(volume.CreatedAt))) continue;
      if (await removeWithRetries(`/volumes/${encodeURIComponent(volume.Name)}?force=1`)) removed.volumes++;
    }
    const images = (await docker("GET", `/images/json?filters=${filter}`)).body ?? [];
    for (const image of images) {
      if (!before(image.Created)) continue;
      if (await removeWithRetries(`/images/${image.Id}?force=1`)) removed.images++;
    }
  }
  return removed;
}

/** DELETE with retries: a network is busy until its containers are fully gone. 404 = already gone. */
async function removeWithRetries(path) {
  for (let attempt = 1; attempt <= REMOVE_RETRIES; attempt++) {
    const { status, body } = await docker("DELETE", path);
    if (status < 300) return true;
    if (status === 404) return false;
    if (attempt === REMOVE_RETRIES) {
      log(`could not remove ${path}: ${status} ${typeof body === "string" ? body : (body?.message ?? "")}`);
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

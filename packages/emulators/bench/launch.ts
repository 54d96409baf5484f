// Bench-only launcher: `node launch.ts <aws|gcp|azure|vault> <http|https>` starts one emulator in
// this process (so a benchmark's client and server do not share an event loop or a CPU's caches),
// on 127.0.0.1 and a free port, and prints one JSON line `{ url, host, port, ca? }` once it
// accepts connections. SIGTERM ends it.
//
// https: Azure serves TLS itself (its generated certificate). The other three speak plain HTTP or
// h2c only, so a TLS terminator in this same process (a fresh P-256 certificate for 127.0.0.1,
// ALPN h2 for gRPC) pipes each connection to the emulator; clients trust `ca` and nothing else.
// Both the raw SDK and Coffer go through it, so it costs both sides the same.
import { connect } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import {
  type RunningEmulator,
  startAwsEmulator,
  startAzureEmulator,
  startGcpEmulator,
  startVaultEmulator,
} from "@coffer/emulators";
import { generate } from "selfsigned";

const [provider, transport] = process.argv.slice(2);
if (!["aws", "gcp", "azure", "vault"].includes(provider!) || !["http", "https"].includes(transport!)) {
  console.error("usage: launch.ts <aws|gcp|azure|vault> <http|https>");
  process.exit(2);
}
const host = "127.0.0.1";

const emulator: RunningEmulator & { certificatePem?: string | undefined } =
  provider === "aws"
    ? await startAwsEmulator({ host })
    : provider === "gcp"
      ? await startGcpEmulator({ host })
      : provider === "vault"
        ? await startVaultEmulator({ host, rootToken: "not-a-real-root-token" })
        : await startAzureEmulator({ host, http: transport === "http" });

let ready: { url: string; host: string; port: number; ca?: string };
let stopFront = async () => {};
if (transport === "http" || provider === "azure") {
  ready = {
    url: emulator.url,
    host,
    port: emulator.port,
    ...(emulator.certificatePem !== undefined && { ca: emulator.certificatePem }),
  };
} else {
  const now = Date.now();
  const pems = await generate([{ name: "commonName", value: host }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 86_400_000),
    extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: host }] }],
  });
  const front = createTlsServer(
    { key: pems.private, cert: pems.cert, ALPNProtocols: provider === "gcp" ? ["h2"] : ["http/1.1"] },
    (socket) => {
      const upstream = connect(emulator.port, host);
      socket.setNoDelay(true);
      upstream.setNoDelay(true);
      socket.pipe(upstream).pipe(socket);
      socket.on("error", () => upstream.destroy());
      upstream.on("error", () => socket.destroy());
    },
  );
  await new Promise<void>((resolve) => front.listen(0, host, resolve));
  const port = (front.address() as { port: number }).port;
  ready = {
    url: provider === "gcp" ? `${host}:${port}` : `https://${host}:${port}`,
    host,
    port,
    ca: pems.cert,
  };
  stopFront = () => new Promise((resolve) => front.close(() => resolve()));
}

process.once("SIGTERM", () => {
  void Promise.all([stopFront(), emulator.stop()]).then(() => process.exit(0));
});
process.stdout.write(`${JSON.stringify(ready)}\n`);

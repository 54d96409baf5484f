/**
 * Several `coffer-server` processes (the built dist/bin.js) on one database, behind a round-robin
 * client. Separate processes, not startServer() in-process, because the promises tested are about
 * processes: each has its own connection pool, identity cache and keyring in memory, and one can be
 * killed (SIGKILL) in the middle of a write, taking its database session with it.
 *
 * Every replica gets its own data directory, as on separate machines, and the same key sources:
 * the sql store's keyring as COFFER_STORE_KEYRING and the metadata keyring as
 * COFFER_METADATA_KEYRING=@<file>, the way a Docker or Kubernetes secret is mounted
 * (docs/operators.md, "Several replicas").
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/bin.js");

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test replies are read field by field.
  body: any;
  headers: Headers;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Replica {
  index: number;
  url: string;
  child: ChildProcess;
}

/** A keyring in the shape the sql store and the metadata keyring take: fake, random, test-only. */
export function testKeyring(ids: string[], active: string): string {
  return JSON.stringify({
    active,
    keys: Object.fromEntries(ids.map((id) => [id, randomBytes(32).toString("base64")])),
  });
}

/** A syntactically valid bootstrap token (coffer_<12>_<43>), made up for the test. */
function fakeBootstrapToken(): string {
  const prefix = randomBytes(6).toString("hex");
  return `coffer_${prefix}_${randomBytes(43).toString("base64url").slice(0, 43)}`;
}

export class ReplicaSet {
  readonly replicas: Array<Replica | undefined> = [];
  readonly adminToken = fakeBootstrapToken();
  readonly #root = mkdtempSync(path.join(tmpdir(), "coffer-replicas-"));
  readonly #metadataKeyring = testKeyring(["m1"], "m1");
  #storeKeyring: string;
  #next = 0;

  readonly databaseUrl: string;
  readonly count: number;
  readonly settings: { identityCacheSeconds: number; storeKeyring?: string };

  // No parameter properties: the replicas bench runs this file with Node's type stripping.
  constructor(
    databaseUrl: string,
    count: number,
    settings: { identityCacheSeconds: number; storeKeyring?: string },
  ) {
    this.databaseUrl = databaseUrl;
    this.count = count;
    this.settings = settings;
    this.#storeKeyring = settings.storeKeyring ?? testKeyring(["k1"], "k1");
  }

  /** Starts every replica, one after the other (the first start creates the tables and the admin). */
  async start(): Promise<void> {
    for (let index = 0; index < this.count; index++) await this.startReplica(index);
  }

  /**
   * Starts replica `index`. `keys` replaces the shared key sources, to show what a replica without
   * them does: `storeKeyring: null` leaves the sql store on its default keyring file in the
   * replica's data directory; `metadataKeyring` gives that replica another metadata keyring.
   */
  async startReplica(
    index: number,
    keys: { storeKeyring?: null; metadataKeyring?: string } = {},
  ): Promise<Replica> {
    const dataDir = path.join(this.#root, `replica-${index}`);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // The metadata keyring as an operator mounts it: a file the variable names with '@'.
    const metadataKeyringFile = path.join(dataDir, "mounted-metadata-keyring");
    writeFileSync(metadataKeyringFile, keys.metadataKeyring ?? this.#metadataKeyring, { mode: 0o600 });
    const child = spawn(process.execPath, [BIN], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        COFFER_DATABASE_URL: this.databaseUrl,
        COFFER_DATA_DIR: dataDir,
        COFFER_STORE_TYPE: "sql",
        ...(keys.storeKeyring === null ? {} : { COFFER_STORE_KEYRING: this.#storeKeyring }),
        COFFER_METADATA_KEYRING: `@${metadataKeyringFile}`,
        COFFER_SERVER_HOST: "127.0.0.1",
        COFFER_SERVER_PORT: "0",
        COFFER_SERVER_BOOTSTRAP_TOKEN: this.adminToken,
        COFFER_SERVER_IDENTITY_CACHE_SECONDS: String(this.settings.identityCacheSeconds),
        COFFER_SERVER_AUTH_FAILURE_LIMIT: "0",
        COFFER_LOG_LEVEL: "error",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      let err = "";
      const timer = setTimeout(() => reject(new Error(`replica ${index} did not start: ${err}`)), 30_000);
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const found = /listening on (\S+)/.exec(out);
        if (found) {
          clearTimeout(timer);
          resolve(found[1]!);
        }
      });
      child.stderr!.on("data", (chunk: Buffer) => {
        err += chunk.toString();
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`replica ${index} exited with ${code}: ${err}`));
      });
    });
    const replica = { index, url, child };
    this.replicas[index] = replica;
    return replica;
  }

  get storeKeyring(): string {
    return this.#storeKeyring;
  }

  /** A new store keyring for the replicas started from now on (rotation: a rolling restart). */
  useStoreKeyring(keyring: string): void {
    this.#storeKeyring = keyring;
  }

  /** SIGKILL: no shutdown, no unlock, no reply; the database sessions die with the process. */
  async kill(index: number): Promise<void> {
    const replica = this.replicas[index];
    if (!replica) return;
    this.replicas[index] = undefined;
    await stopChild(replica.child, "SIGKILL");
  }

  async restart(index: number): Promise<Replica> {
    const replica = this.replicas[index];
    if (replica) {
      this.replicas[index] = undefined;
      await stopChild(replica.child, "SIGTERM");
    }
    return this.startReplica(index);
  }

  /** The next live replica, round robin. */
  next(): Replica {
    for (let tries = 0; tries < this.count; tries++) {
      const replica = this.replicas[this.#next++ % this.count];
      if (replica) return replica;
    }
    throw new Error("no replica is running");
  }

  at(index: number): Replica {
    const replica = this.replicas[index];
    if (!replica) throw new Error(`replica ${index} is not running`);
    return replica;
  }

  /** One request to `replica` (default: the next one, round robin). */
  async request(method: string, url: string, options: RequestOptions = {}, replica = this.next()) {
    return send(replica, method, url, options);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.replicas.map((replica, index) => {
        this.replicas[index] = undefined;
        return replica ? stopChild(replica.child, "SIGTERM") : undefined;
      }),
    );
    rmSync(this.#root, { recursive: true, force: true });
  }
}

export async function send(
  replica: Replica,
  method: string,
  url: string,
  options: RequestOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${replica.url}${url}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

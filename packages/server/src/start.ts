/**
 * Starting the server from deploy-time configuration: the same COFFER_* settings as everywhere,
 * plus the `server` section (COFFER_SERVER_*). Bad configuration stops the start with one line.
 */
import type { Server as TlsServer } from "node:tls";
import { z } from "@coffer/core";
import { type CofferConfig, loadConfig } from "@coffer/core/config";
import {
  auditSection,
  configRoot,
  metadataCacheSection,
  type SecretsService,
  startService,
} from "@coffer/service";
import { openDatabase } from "@coffer/sql";
import { builtinStores } from "@coffer/stores";
import { pino } from "pino";
import { buildApp } from "./app.js";
import { pinoBackedLogger } from "./audit/pino-logger.js";
import { IdentityStore, type IssuedToken } from "./identity.js";
import { measuredRoot } from "./metrics/compose.js";
import { measuredDatabase } from "./metrics/measured-database.js";
import { ServerMetrics } from "./metrics/registry.js";
import type { CofferApp } from "./routes/context.js";
import { closeHttpWithin, TRACING_FLUSH_MS } from "./shutdown.js";
import { readTlsPair, reloadTlsOnSighup, tlsFilePaths } from "./tls-files.js";
import { tracingSettings } from "./tracing/settings.js";
import { startTracing, type Tracing, type TracingLog } from "./tracing/tracing.js";

export const serverSettings = z
  .object({
    /** Interface to listen on. 127.0.0.1 by default; 0.0.0.0 in a container. */
    host: z.string().default("127.0.0.1"),
    port: z.number().int().min(0).max(65_535).default(8700),
    /** The admin user created on the first start. */
    bootstrapAdmin: z.string().default("admin"),
    /**
     * The bootstrap admin's token; when unset, one is generated and printed once. A configured
     * token not used before is also added on a later start (rotation, or getting back in).
     */
    bootstrapToken: z.string().optional(),
    /** The bootstrap token expires this many minutes after the start that made it. */
    bootstrapTokenMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(60),
    /** Serve HTTPS: PEM files with the certificate chain and its private key (both or neither). */
    tlsCert: z.string().optional(),
    tlsKey: z.string().optional(),
    /**
     * Trust X-Forwarded-For from a reverse proxy for the client's address (rate limiting, logs):
     * true, or the proxy's address(es) / CIDR, comma-separated. Off by default.
     */
    trustProxy: z.string().optional(),
    /** Failed authentications allowed per client address per window; 0 turns the limit off. */
    authFailureLimit: z.number().int().min(0).default(20),
    authFailureWindowSeconds: z.number().int().min(1).max(86_400).default(60),
    /**
     * How long a replica trusts a verified token (and a user's role and name) before asking the
     * database again: revocations, deletions and role changes made elsewhere reach it within this.
     */
    identityCacheSeconds: z.number().min(0).max(300).default(5),
    /** The built web dashboard served at /ui (default: packages/dashboard/dist beside the server). */
    dashboardDir: z.string().optional(),
    /** Largest request body, in bytes. */
    bodyLimitBytes: z
      .number()
      .int()
      .min(1024)
      .default(2 * 1024 * 1024),
    /** Largest backup archive the admin restore and diff endpoints read from a request, in bytes. */
    archiveLimitBytes: z
      .number()
      .int()
      .min(1024)
      .default(1024 * 1024 * 1024),
    /**
     * On SIGTERM/SIGINT (close()), how long requests in flight may take to answer before their
     * connections are cut and the store is closed (shutdown.ts).
     */
    shutdownGraceMs: z.number().int().min(0).max(600_000).default(10_000),
    /** GET /metrics without a token (for a scraper on a private network); off: auditor or admin. */
    metricsPublic: z.boolean().default(false),
    /**
     * OpenTelemetry tracing: `otlp` turns it on, `off` keeps it off whatever the OTEL_* variables
     * say; unset, it is on when an OTLP endpoint is configured (tracing/settings.ts).
     */
    tracing: z.enum(["off", "otlp"]).optional(),
  })
  .strict();

export type ServerSettings = z.output<typeof serverSettings>;

export const serverSection = {
  schema: serverSettings,
  envPrefix: "COFFER_SERVER_",
  sensitiveOptions: ["bootstrapToken"],
};

export interface RunningServer {
  url: string;
  app: CofferApp;
  service: SecretsService;
  identity: IdentityStore;
  /** The bootstrap admin token when this start created it (print it once, then forget it). */
  bootstrapToken?: IssuedToken;
  close(): Promise<void>;
}

export interface StartServerOptions {
  /** Already loaded configuration; otherwise it is loaded from the environment. */
  config?: CofferConfig;
  env?: Record<string, string | undefined>;
  /** Overrides for the server settings (tests pass port 0). */
  settings?: Partial<ServerSettings>;
  /** Fastify logging: on by default (JSON lines), off in tests. */
  log?: boolean;
  /** Where the log lines go (default standard output); tests read them here. */
  logStream?: { write(line: string): void };
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const config =
    options.config ??
    (await loadConfig({
      registry: builtinStores(),
      env: options.env ?? process.env,
      sections: { server: serverSection, audit: auditSection, metadataCache: metadataCacheSection },
    }));
  const settings = serverSettings.parse({
    ...(config.sections.server as object | undefined),
    ...options.settings,
  });
  // Read and checked now, so that a bad path or pair stops the start with one line.
  const tlsPaths = tlsFilePaths(settings);
  const tlsPair = tlsPaths ? readTlsPair(tlsPaths) : undefined;
  const tracingConfig = tracingSettings(options.env ?? process.env, settings.tracing);
  const https = tlsPair ? { cert: tlsPair.cert, key: tlsPair.key } : undefined;
  // One pino logger for fastify's request lines and the service's own (pino-logger.ts).
  const log =
    options.log === false
      ? undefined
      : pino(
          { level: config.logLevel === "silent" ? "silent" : config.logLevel },
          ...(options.logStream ? [options.logStream] : []),
        );
  const metrics = new ServerMetrics();
  // Loads the OpenTelemetry SDK only when tracing is configured (tracing/tracing.ts).
  const tracing = tracingConfig ? await startTracing(tracingConfig, log ?? quiet) : undefined;
  const service = await startService(
    measuredRoot(
      configRoot(
        config,
        log ? { logger: pinoBackedLogger(log.child({ component: "coffer" }), config.logLevel) } : {},
      ),
      config,
      metrics,
      tracing,
    ),
  ).catch(async (error: unknown) => {
    await tracing?.shutdown(TRACING_FLUSH_MS);
    throw error;
  });
  const measured = measuredDatabase(openDatabase(config.databaseUrl), metrics);
  const database = tracing ? tracing.traceDatabase(measured) : measured;
  try {
    const identity = await IdentityStore.open(database, {
      cacheMs: settings.identityCacheSeconds * 1000,
      sealer: service.sealer,
    });
    const bootstrapToken = await identity.bootstrap(
      settings.bootstrapAdmin,
      settings.bootstrapToken,
      settings.bootstrapTokenMinutes * 60_000,
    );
    const app = await buildApp({
      service,
      identity,
      bodyLimit: settings.bodyLimitBytes,
      ...(settings.dashboardDir ? { dashboardDir: settings.dashboardDir } : {}),
      archiveLimitBytes: settings.archiveLimitBytes,
      ...(https ? { https } : {}),
      ...(settings.trustProxy !== undefined ? { trustProxy: trustProxyOption(settings.trustProxy) } : {}),
      authFailureLimit: settings.authFailureLimit,
      authFailureWindowMs: settings.authFailureWindowSeconds * 1000,
      metrics,
      metricsPublic: settings.metricsPublic,
      ...(tracing ? { tracing } : {}),
      ...(log ? { loggerInstance: log } : { logger: false }),
    });
    const address = await app.listen({ host: settings.host, port: settings.port });
    // A renewed certificate is picked up on SIGHUP (tls-files.ts); plain HTTP keeps Node's default.
    // Given `https`, fastify's server is an https.Server, though its type says http.
    const stopTlsReload = tlsPaths
      ? reloadTlsOnSighup(app.server as unknown as TlsServer, tlsPaths, app.log)
      : undefined;
    const running: RunningServer = {
      url: address.replace("[::1]", "127.0.0.1"),
      app,
      service,
      identity,
      async close() {
        stopTlsReload?.();
        const { cut } = await closeHttpWithin(app, settings.shutdownGraceMs);
        if (cut)
          app.log.warn({ graceMs: settings.shutdownGraceMs }, "requests still running at shutdown were cut");
        await service.close();
        await database.close();
        await flushTracing(tracing, app.log);
      },
    };
    if (bootstrapToken) running.bootstrapToken = bootstrapToken;
    return running;
  } catch (error) {
    await service.close();
    await database.close();
    await tracing?.shutdown(TRACING_FLUSH_MS);
    throw error;
  }
}

/**
 * Last in a shutdown, once no request can end a span any more: the queued spans are exported,
 * for at most TRACING_FLUSH_MS (an unreachable collector cannot hold the exit).
 */
async function flushTracing(tracing: Tracing | undefined, log: TracingLog): Promise<void> {
  if (!tracing) return;
  if (!(await tracing.shutdown(TRACING_FLUSH_MS)))
    log.warn({ flushMs: TRACING_FLUSH_MS }, "tracing: spans still queued at shutdown were not exported");
}

/** Where tracing's delivery lines go when the server logs nothing (tests). */
const quiet: TracingLog = { warn() {}, info() {} };

/** COFFER_SERVER_TRUST_PROXY: "true"/"false", or the proxies' addresses/CIDRs, comma-separated. */
function trustProxyOption(text: string): boolean | string {
  const normalized = text.trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(normalized)) return true;
  if (["false", "0", "no", "off", ""].includes(normalized)) return false;
  return text.trim();
}

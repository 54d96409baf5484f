/**
 * Starting the server from deploy-time configuration: the same COFFER_* settings as everywhere,
 * plus the `server` section (COFFER_SERVER_*). Bad configuration stops the start with one line.
 */
import { type CofferConfig, loadConfig, z } from "@coffer/core";
import { openService, type SecretsService } from "@coffer/service";
import { openDatabase } from "@coffer/sql";
import { builtinStores } from "@coffer/stores";
import { buildApp } from "./app.js";
import { IdentityStore, type IssuedToken } from "./identity.js";
import type { CofferApp } from "./routes/context.js";

export const serverSettings = z
  .object({
    /** Interface to listen on. 127.0.0.1 by default; 0.0.0.0 in a container. */
    host: z.string().default("127.0.0.1"),
    port: z.number().int().min(0).max(65_535).default(8700),
    /** The admin user created on the first start. */
    bootstrapAdmin: z.string().default("admin"),
    /** The first admin's token; when unset, one is generated and printed once. */
    bootstrapToken: z.string().optional(),
    /** Largest request body, in bytes. */
    bodyLimitBytes: z
      .number()
      .int()
      .min(1024)
      .default(2 * 1024 * 1024),
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
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const config =
    options.config ??
    (await loadConfig({
      registry: builtinStores(),
      env: options.env ?? process.env,
      sections: { server: serverSection },
    }));
  const settings = serverSettings.parse({
    ...(config.sections.server as object | undefined),
    ...options.settings,
  });
  const service = await openService(config);
  const database = openDatabase(config.databaseUrl);
  try {
    const identity = await IdentityStore.open(database);
    const bootstrapToken = await identity.bootstrap(settings.bootstrapAdmin, settings.bootstrapToken);
    const app = await buildApp({
      service,
      identity,
      bodyLimit: settings.bodyLimitBytes,
      logger:
        options.log === false ? false : { level: config.logLevel === "silent" ? "silent" : config.logLevel },
    });
    const address = await app.listen({ host: settings.host, port: settings.port });
    const running: RunningServer = {
      url: address.replace("[::1]", "127.0.0.1"),
      app,
      service,
      identity,
      async close() {
        await app.close();
        await service.close();
        await database.close();
      },
    };
    if (bootstrapToken) running.bootstrapToken = bootstrapToken;
    return running;
  } catch (error) {
    await service.close();
    await database.close();
    throw error;
  }
}

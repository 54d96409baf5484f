#!/usr/bin/env node
/**
 * coffer-emulator <aws|aws-kms|vault|gcp|gcp-kms|azure|azure-keys> [--port N] [--host H] [provider flags]
 *
 * Starts one emulator and prints `<name> emulator listening on <url>` once it accepts connections
 * (containers and test harnesses wait for that line). SIGTERM or SIGINT stops it and exits 0.
 *
 * Each provider lives in `./<name>/index.js` and is loaded by name, so this file compiles and runs
 * whether or not every provider is part of the build. A provider module exports
 * `start(options)`; it may export `cliOptions` (extra `util.parseArgs` flags) and
 * `optionsFromCli(values)` (to turn parsed flags into start options; by default kebab-case flags
 * become camelCase options).
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import type { RunningEmulator } from "./types.js";

const PROVIDERS = ["aws", "aws-kms", "vault", "gcp", "gcp-kms", "azure", "azure-keys"] as const;
type Provider = (typeof PROVIDERS)[number];

type Flags = NonNullable<ParseArgsConfig["options"]>;
type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

interface ProviderModule {
  start(options: Record<string, unknown>): Promise<RunningEmulator>;
  cliOptions?: Flags;
  optionsFromCli?: (values: FlagValues) => Record<string, unknown>;
}

const COMMON_FLAGS = {
  port: { type: "string" },
  host: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies Flags;

const USAGE = `Usage: coffer-emulator <${PROVIDERS.join("|")}> [--port N] [--host H] [provider flags]

  --port N     TCP port (default 0: any free port)
  --host H     interface to bind (default $COFFER_EMULATOR_HOST, else 127.0.0.1; the image sets 0.0.0.0)

  aws, aws-kms:  --region R  --account-id ID
  gcp-kms:  --project-id P (only this project exists; others are PERMISSION_DENIED)
  vault:  --root-token T  --mount PATH (repeatable)
  azure, azure-keys:  --tls-cert-file FILE --tls-key-file FILE (PEM; default: a certificate generated at start)  --http
`;

class UsageError extends Error {}

function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new UsageError(`--port must be 0-65535, got "${value}"`);
  return port;
}

async function loadProvider(name: Provider): Promise<ProviderModule> {
  try {
    return (await import(`./${name}/index.js`)) as ProviderModule;
  } catch (error) {
    // Only the provider module itself being absent means "not built"; a dependency it cannot find
    // is a real error and is reported as such.
    const { code, message } = error as { code?: string; message?: string };
    if (code === "ERR_MODULE_NOT_FOUND" && message?.includes(`/${name}/index.js`)) {
      throw new UsageError(`the ${name} emulator is not part of this build`);
    }
    throw error;
  }
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    process.stdout.write(USAGE);
    if (name === undefined) process.exitCode = 2;
    return;
  }
  if (!(PROVIDERS as readonly string[]).includes(name)) {
    throw new UsageError(`unknown emulator "${name}"; expected one of ${PROVIDERS.join(", ")}`);
  }
  const provider = await loadProvider(name as Provider);

  let values: FlagValues;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { ...provider.cliOptions, ...COMMON_FLAGS },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }

  const { port, host, help: _help, ...providerValues } = values;
  const providerOptions = provider.optionsFromCli
    ? provider.optionsFromCli(providerValues)
    : Object.fromEntries(
        Object.entries(providerValues)
          .filter(([, value]) => value !== undefined)
          .map(([flag, value]) => [camelCase(flag), value]),
      );
  const starting = provider.start({
    ...providerOptions,
    ...(port !== undefined && { port: parsePort(port as string) }),
    ...((host ?? process.env.COFFER_EMULATOR_HOST) !== undefined && {
      host: host ?? process.env.COFFER_EMULATOR_HOST,
    }),
  });

  // Signal handlers go in before the ready line is printed: whoever reads that line may signal at
  // once, and the default action would kill the process without stopping the emulator.
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    starting
      .then((emulator) => emulator.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`coffer-emulator: error while stopping: ${(error as Error).message}\n`);
          process.exit(1);
        },
      );
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);

  const emulator = await starting;
  if (!stopping) process.stdout.write(`${name} emulator listening on ${emulator.url}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`coffer-emulator: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  process.stderr.write(`coffer-emulator: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

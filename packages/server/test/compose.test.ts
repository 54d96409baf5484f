// docker-compose.yml is for operators: every Coffer server in it must start with the configuration
// it is given. Docker Compose itself is not on this machine, so this reads the file (anchors and
// ${VAR:-default} as Compose resolves them) and checks each server's environment with the same
// loader the server uses at start.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "@coffer/core/config";
import { builtinStores } from "@coffer/stores";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { serverSection } from "../src/index.js";

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../docker-compose.yml");
const withDefaults = readFileSync(file, "utf8").replace(/\$\{[A-Z_]+:-([^}]*)\}/g, "$1");
const compose = parse(withDefaults, { merge: true }) as {
  services: Record<string, { image: string; profiles?: string[]; environment?: Record<string, string> }>;
};
const servers = Object.entries(compose.services).filter(([, service]) =>
  service.image.startsWith("coffer/server"),
);

describe("docker-compose.yml", () => {
  it("has one Coffer server per profile: sql, vault and emulators", () => {
    expect(servers.map(([, service]) => service.profiles?.[0]).sort()).toEqual(["emulators", "sql", "vault"]);
  });

  it.each(servers)("%s starts with a valid configuration", async (_, service) => {
    const config = await loadConfig({
      registry: builtinStores(),
      // Compose passes a variable with no value as the empty string.
      env: Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([key, value]) => [key, value ?? ""]),
      ),
      sections: { server: serverSection },
    });
    expect(config.databaseUrl).toMatch(/^postgres:\/\/coffer:.*@postgres:5432\/coffer$/);
    expect(config.sections.server).toMatchObject({ host: "0.0.0.0", port: 8700 });
  });
});

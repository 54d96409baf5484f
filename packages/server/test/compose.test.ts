// docker-compose.yml is for operators: every Coffer server in it must start with the configuration
// it is given. This reads the file (anchors, ${VAR:-default} and ${VAR:?message} as Compose resolves
// them) and checks each server's environment with the same loader the server uses at start. The
// secret files Compose mounts (/run/secrets/…, the Vault token) are stood in for by temporary
// files. Running the profiles for real: scripts/test/compose-smoke.test.ts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "@coffer/core/config";
import { builtinStores } from "@coffer/stores";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { serverSection } from "../src/index.js";

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../docker-compose.yml");
const text = readFileSync(file, "utf8");
const withDefaults = text
  .replace(/\$\{[A-Z_]+:-([^}]*)\}/g, "$1")
  .replace(/\$\{COFFER_POSTGRES_PASSWORD:\?[^}]*\}/g, "not-a-real-password");
const compose = parse(withDefaults, { merge: true }) as {
  services: Record<string, { image: string; profiles?: string[]; environment?: Record<string, string> }>;
};
const servers = Object.entries(compose.services).filter(([, service]) =>
  service.image.startsWith("coffer/server"),
);

const secrets = mkdtempSync(path.join(tmpdir(), "coffer-compose-"));
afterAll(() => rmSync(secrets, { recursive: true, force: true }));
const mounted: Record<string, string> = {
  "/run/secrets/coffer_bootstrap_token": `coffer_composetest0_${"t".repeat(43)}`,
  "/coffer-token/token": "not-a-real-vault-token",
};
const standIns = Object.fromEntries(
  Object.entries(mounted).map(([where, content], i) => {
    const local = path.join(secrets, `secret-${i}`);
    writeFileSync(local, `${content}\n`);
    return [`@${where}`, `@${local}`];
  }),
);

describe("docker-compose.yml", () => {
  it("has one Coffer server per profile: sql, vault and emulators", () => {
    expect(servers.map(([, service]) => service.profiles?.[0]).sort()).toEqual(["emulators", "sql", "vault"]);
  });

  it("has no default password: the database password is required, with a message", () => {
    expect(text).not.toMatch(/change-me|COFFER_POSTGRES_PASSWORD:-/);
    expect(text).toMatch(/\$\{COFFER_POSTGRES_PASSWORD:\?[^}]+\}/);
  });

  it.each(servers)("%s starts with a valid configuration", async (name, service) => {
    const config = await loadConfig({
      registry: builtinStores(),
      // Compose passes a variable with no value as the empty string.
      env: Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([key, value]) => [
          key,
          standIns[value] ?? value ?? "",
        ]),
      ),
      sections: { server: serverSection },
    });
    // The emulators profile is a demo whose metadata is as ephemeral as its values (tmpfs).
    expect(config.databaseUrl).toMatch(
      name === "coffer-aws"
        ? /^sqlite:\/\/\/var\/lib\/coffer\//
        : /^postgres:\/\/coffer:.*@postgres[a-z-]*:5432\/coffer$/,
    );
    expect(config.sections.server).toMatchObject({
      host: "0.0.0.0",
      port: 8700,
      // Read from the secret file, never printed by the server (it prints only tokens it makes).
      bootstrapToken: mounted["/run/secrets/coffer_bootstrap_token"],
    });
  });
});

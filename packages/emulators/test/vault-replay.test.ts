// Vault KV v2 behaviours re-expressed from hashicorp/vault-plugin-secrets-kv's source as fixtures in
// test/fixtures/vault, and replayed over HTTP against the emulator.
import { describe, expect, it } from "vitest";
import { startVaultEmulator } from "../src/vault/index.js";
import { loadFixtures } from "./replay/fixtures.js";
import { replay } from "./replay/run.js";

const fixtures = loadFixtures("vault");

describe("Vault KV v2 behaviours from the plugin's source, replayed against the emulator", () => {
  for (const [index, fixture] of fixtures.entries()) {
    it(`${fixture.title} (${fixture.file})`, async () => {
      const emulator = await startVaultEmulator({ rootToken: "not-a-real-token", ...fixture.setup });
      try {
        const problems = await replay(
          fixture,
          { baseUrl: emulator.url, auth: { "x-vault-token": "not-a-real-token" } },
          { name: `app/replay-${index}` },
        );
        expect(problems, `source: ${fixture.source}`).toEqual([]);
      } finally {
        await emulator.stop();
      }
    });
  }
});

// Key Vault keys exchanges recorded against the real service (the Azure SDK for JS publishes its
// live-test recordings), re-expressed as fixtures in test/fixtures/azure-keys and replayed
// byte-level against the keys emulator: same request, and the same status, codes, messages and
// body members back.
import { describe, expect, it } from "vitest";
import { startAzureKeysEmulator } from "../src/azure-keys/index.js";
import { loadFixtures } from "./replay/fixtures.js";
import { replay } from "./replay/run.js";

const fixtures = loadFixtures("azure-keys");

describe("Key Vault keys recordings replayed against the emulator", () => {
  it("has fixtures to replay", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(3);
  });

  for (const [index, fixture] of fixtures.entries()) {
    it(`${fixture.title} (${fixture.file})`, async () => {
      const emulator = await startAzureKeysEmulator(fixture.setup ?? {});
      try {
        // Mixed case, as in the recordings: messages echo a name as the client spelled it.
        const vars = { name: `Replay-${index}-CaseKept`, vault: emulator.url };
        const problems = await replay(
          fixture,
          {
            baseUrl: emulator.url,
            ca: emulator.certificatePem,
            auth: { authorization: "Bearer not-a-real-token" },
          },
          vars,
        );
        expect(problems, `source: ${fixture.source}`).toEqual([]);
      } finally {
        await emulator.stop();
      }
    });
  }
});

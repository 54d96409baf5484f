// Key Vault recordings (secrets or keys) replayed against an emulator, one test per fixture: the
// emulators differ only in which fixtures they replay and how they start.
import { describe, expect, it } from "vitest";
import { loadFixtures } from "./fixtures.js";
import { replay } from "./run.js";

interface KeyVaultEmulator {
  readonly url: string;
  readonly certificatePem: string | undefined;
  stop(): Promise<void>;
}

export function describeKeyVaultReplay(
  title: string,
  fixturesDir: "azure" | "azure-keys",
  minFixtures: number,
  /** Starts the emulator with the fixture's setup (its own options, as the recording needs them). */
  start: (setup: Record<string, unknown>) => Promise<KeyVaultEmulator>,
): void {
  const fixtures = loadFixtures(fixturesDir);

  describe(title, () => {
    it("has fixtures to replay", () => {
      expect(fixtures.length).toBeGreaterThanOrEqual(minFixtures);
    });

    for (const [index, fixture] of fixtures.entries()) {
      it(`${fixture.title} (${fixture.file})`, async () => {
        const emulator = await start(fixture.setup ?? {});
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
}

// Secrets Manager exchanges recorded against AWS (LocalStack publishes the snapshots its validated
// tests took against the real service), re-expressed as fixtures in test/fixtures/aws and replayed
// over HTTP against the emulator.
import { describe, expect, it } from "vitest";
import { startAwsEmulator } from "../src/aws/index.js";
import { loadFixtures } from "./replay/fixtures.js";
import { replay } from "./replay/run.js";

const fixtures = loadFixtures("aws");
// Any SigV4-shaped header: the emulator does not verify signatures.
const AUTH =
  "AWS4-HMAC-SHA256 Credential=AKIAFAKE/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000";

describe("Secrets Manager recordings replayed against the emulator", () => {
  for (const [index, fixture] of fixtures.entries()) {
    it(`${fixture.title} (${fixture.file})`, async () => {
      const emulator = await startAwsEmulator(fixture.setup ?? {});
      try {
        const problems = await replay(
          fixture,
          { baseUrl: emulator.url, auth: { authorization: AUTH } },
          { name: `Replay/${index}_Secret-Name` },
        );
        expect(problems, `source: ${fixture.source}`).toEqual([]);
      } finally {
        await emulator.stop();
      }
    });
  }
});

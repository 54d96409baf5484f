import { defineConfig } from "vitest/config";

// One run over every package: each folder under packages/ and examples/ (and scripts/) is a vitest project, so
// `./dev test` prints a single summary for the whole repository.
export default defineConfig({
  test: {
    // examples/app is a user's project with its own test (node:test), run by scripts/test.
    projects: [
      "packages/*",
      "examples/*",
      "!examples/app",
      "scripts",
      "packages/cli/vitest.remote.config.ts",
    ],
    reporters: ["default", "./scripts/summary-reporter.ts"],
  },
});

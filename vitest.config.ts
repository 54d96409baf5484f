import { defineConfig } from "vitest/config";

// One run over every package: each folder under packages/ and examples/ is a vitest project, so
// `./dev test` prints a single summary for the whole repository.
export default defineConfig({
  test: {
    projects: ["packages/*", "examples/*", "packages/cli/vitest.remote.config.ts"],
    reporters: ["default", "./scripts/summary-reporter.ts"],
  },
});

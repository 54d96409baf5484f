import { defineProject, type ViteUserConfig } from "vitest/config";

// The settings every package's vitest.config.ts starts from.
export function packageTestConfig(name: string, overrides: ViteUserConfig["test"] = {}) {
  return defineProject({
    test: {
      name,
      include: ["test/**/*.test.ts"],
      pool: "forks",
      // Backends behind real sockets (containers, emulators) need more than vitest's 5 s default.
      testTimeout: 30_000,
      hookTimeout: 180_000,
      ...overrides,
    },
  });
}

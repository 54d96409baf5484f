/**
 * Debian's Chromium (/usr/bin/chromium, from apt; scripts/ci/install-test-tools.sh installs it in
 * CI), driven by playwright-core. No browser is ever downloaded: playwright-core has none, and
 * the executable is given. A fresh profile directory per launch, removed on close.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { isCi } from "@coffer/testkit";
import { type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM = process.env.COFFER_TEST_CHROMIUM ?? "/usr/bin/chromium";

/** The flags that work on this Debian, as root, in a container, without a GPU or network. */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Why the browser tests cannot run here, or undefined when they can. In CI (CI=true) a missing
 * Chromium fails the tests; elsewhere they are skipped with this reason.
 */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM)
    ? undefined
    : `${CHROMIUM} is missing: install it with scripts/ci/install-test-tools.sh (apt-get install chromium)`;
}

export const mustFailWithoutChromium = isCi();

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), "coffer-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 800 },
    timeout: 60_000,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

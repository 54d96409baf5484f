/**
 * axe-core, injected into the page under test (through the DevTools protocol, which the page's
 * Content-Security-Policy does not govern, so the CSP stays exactly as served), then run on the
 * whole document. Returns the serious and critical violations, described for a failure message.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(`${axeSource}\n;undefined`);
  const violations = (await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(context: Document, options: object): Promise<unknown> } }
    ).axe;
    const result = (await axe.run(document, { resultTypes: ["violations"] })) as { violations: Violation[] };
    return result.violations.map(({ id, impact, help, nodes }) => ({
      id,
      impact,
      help,
      nodes: nodes.map((node) => ({ target: node.target })),
    }));
  })) as Violation[];
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) =>
        `${violation.impact} ${violation.id}: ${violation.help} (${violation.nodes.map((node) => JSON.stringify(node.target)).join(", ")})`,
    );
}

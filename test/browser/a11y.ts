import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { expect, type Page } from "@playwright/test";

const require = createRequire(import.meta.url);
const AXE_PATH = (() => {
  try {
    return require.resolve("axe-core/axe.min.js");
  } catch {
    return "";
  }
})();

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core on the page as it is now and returns the serious and critical violations.
 * The context must be created with `bypassCSP: true`: the app's CSP refuses injected scripts.
 */
export const seriousViolations = async (page: Page): Promise<AxeViolation[]> => {
  expect(AXE_PATH !== "" && existsSync(AXE_PATH), "axe-core is not installed (npm install -D axe-core)").toBe(true);
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    type Result = { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] };
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<Result> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
};

/** Fails with axe's own explanation of every serious or critical violation. */
export const expectAccessible = async (page: Page, screen: string): Promise<void> => {
  const violations = await seriousViolations(page);
  expect(violations, `${screen}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
};

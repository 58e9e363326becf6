import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AxeResults, NodeResult, Result } from 'axe-core';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { ROOT } from '../../support/process.js';

/** axe-core's browser build, injected into the page under test. */
export const AXE_SCRIPT = join(ROOT, 'node_modules/axe-core/axe.min.js');

/** The standard every screen meets (docs/dashboard.md and docs/widget.md, "Accessibility"): WCAG 2.1 A and AA. */
export const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const;

export interface AxeCheck {
  /** Names the screen in the failure message: "dashboard inbox, phone". */
  label: string;
  /**
   * Checks only inside the element this CSS selector finds (in the light DOM; a shadow host
   * brings its open shadow tree with it). The whole document when left out.
   */
  include?: string;
  /**
   * Rule ids to skip. Only for a genuine false positive, with a comment at the call saying why:
   * a real violation is fixed in the product, never silenced here.
   */
  disableRules?: readonly string[];
}

/**
 * With `AXE_SCREENSHOTS=<folder>` set, each checked screen is also saved there as a PNG named
 * after its label, to look at what was checked (phone layouts especially).
 */
async function screenshot(page: Page, label: string): Promise<void> {
  const folder = process.env.AXE_SCREENSHOTS;
  if (folder === undefined || folder === '') return;
  mkdirSync(folder, { recursive: true });
  const name = label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  await page.screenshot({ path: join(folder, `${name}.png`) });
}

/** How many offending elements a failure message shows per rule. */
const NODES_SHOWN = 3;
const HTML_SHOWN = 200;

/** The target of one offending element: a shadow-DOM path is joined with " >>> ". */
function target(node: NodeResult): string {
  return node.target.map((part) => (Array.isArray(part) ? part.join(' >>> ') : String(part))).join(' >>> ');
}

/** One violation as a person fixing it needs it: rule, impact, what to do, and where. */
export function describeViolation(violation: Result): string {
  const nodes = violation.nodes.slice(0, NODES_SHOWN).map((node) => {
    const html = node.html.length > HTML_SHOWN ? `${node.html.slice(0, HTML_SHOWN)}…` : node.html;
    const why = node.failureSummary?.split('\n').slice(1).join('; ').trim();
    return `    at ${target(node)}\n      ${html}${why ? `\n      ${why}` : ''}`;
  });
  const more = violation.nodes.length > NODES_SHOWN ? [`    …and ${violation.nodes.length - NODES_SHOWN} more`] : [];
  return [`  ${violation.id} (${violation.impact ?? 'unknown impact'}): ${violation.help}`, `    ${violation.helpUrl}`, ...nodes, ...more].join('\n');
}

/** Runs axe-core in `page` with the WCAG 2.1 A/AA rules and answers its results. */
export async function runAxe(page: Page, { include, disableRules = [] }: Omit<AxeCheck, 'label'> = {}): Promise<AxeResults> {
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe === 'object');
  if (!loaded) {
    await page.addScriptTag({ path: AXE_SCRIPT }).catch((error: Error) => {
      const hint = error.message.includes('Content Security Policy') ? ' (open the browser context with `bypassCSP: true`)' : '';
      throw new Error(`axe-core could not be injected into ${page.url()}${hint}: ${error.message}`, { cause: error });
    });
  }
  return page.evaluate(
    async ({ include, tags, disableRules }) => {
      const g = globalThis as unknown as {
        document: unknown;
        axe: { run(context: unknown, options: unknown): Promise<AxeResults> };
      };
      const context = include === undefined ? g.document : { include: [[include]] };
      const rules = Object.fromEntries(disableRules.map((id) => [id, { enabled: false }]));
      return g.axe.run(context, { runOnly: { type: 'tag', values: tags }, rules, resultTypes: ['violations'] });
    },
    { include, tags: [...WCAG_21_AA], disableRules: [...disableRules] },
  );
}

/**
 * Fails with every WCAG 2.1 A/AA violation axe-core finds on the page as it is now: each rule's
 * id, impact and help, and the first few offending elements with their HTML, so the failure says
 * what to fix and where. Await the state under test before calling it.
 */
export async function expectNoAxeViolations(page: Page, { label, ...check }: AxeCheck): Promise<void> {
  await screenshot(page, label);
  const { violations } = await runAxe(page, check);
  const report = violations.map(describeViolation).join('\n');
  expect(violations.length, `axe-core found ${violations.length} WCAG 2.1 AA violation(s) on ${label} (${page.url()}):\n${report}\n`).toBe(0);
}

import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from './support/axe.js';
import { bodies, skipWithoutChromium, waitForMessage, widget } from './support/browser.js';
import { button, dashboardSuite, DESKTOP, replyBox, row, transcriptMessage } from './support/dashboard.js';
import { ADMIN } from './support/server.js';

/**
 * Internal notes in the dashboard (docs/dashboard.md, "Internal notes"), in Debian's Chromium: an
 * agent switches the composer to Note with the keyboard, writes a note, another agent's dashboard
 * shows it live, and the visitor's widget never does (a reply sent after it arrives, the note
 * not). axe-core at desktop and phone sizes, with Note mode on and a note in the transcript.
 */

const DORA = { email: 'dora@e2e.test', name: 'Dora Agent', password: 'dora-e2e-password', role: 'agent' as const };

/** `bypassCSP` only so that axe-core can be injected (test/e2e/accessibility.e2e.test.ts says why). */
const SIZES: [string, BrowserContextOptions][] = [
  ['desktop', { ...DESKTOP, bypassCSP: true }],
  ['phone', { ...DESKTOP, bypassCSP: true, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }],
];

const note = (page: Page, text: string) => page.locator('[data-parley="transcript"] [data-parley="note"]', { hasText: text });

describe.skipIf(skipWithoutChromium)('agent dashboard: internal notes, in Chromium', { timeout: 120_000 }, () => {
  const { context, pageIn, customer, startChat, loginPage, dashboardShown, dashboard } = dashboardSuite(async (server) => {
    await server.agent.createAgent(DORA);
  });

  async function dashboardAt(options: BrowserContextOptions): Promise<Page> {
    const agentPage = await pageIn(await context(options));
    await loginPage(agentPage, ADMIN.email, ADMIN.password);
    await dashboardShown(agentPage.page);
    return agentPage.page;
  }

  for (const [size, options] of SIZES) {
    it(`a note written in Note mode shows live to another agent and never to the visitor (${size})`, async () => {
      const question = `Can I change my address? (${size})`;
      const secret = `@Dora Agent the customer failed the fraud check (${size})`;
      const answer = `Yes, we can change it (${size}).`;
      const visitor = await customer();
      const id = await startChat(visitor, question);

      const writer = await dashboardAt(options);
      const colleague = (await dashboard(DORA.email, DORA.password)).page;
      for (const page of [writer, colleague]) {
        await row(page, id).click();
        await transcriptMessage(page, 'visitor', question).waitFor({ state: 'visible' });
      }

      // Reply | Note, by keyboard: the Note button is a toggle with aria-pressed.
      await button(writer, 'Note').focus();
      await writer.keyboard.press('Enter');
      expect(await button(writer, 'Note').getAttribute('aria-pressed')).toBe('true');
      expect(await button(writer, 'Reply').getAttribute('aria-pressed')).toBe('false');
      await writer.getByText('Internal note — only agents see this', { exact: true }).waitFor({ state: 'visible' });
      const box = writer.getByRole('textbox', { name: 'Internal note', exact: true });
      const yellow = await writer.locator('form.composer').evaluate((form) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(form).backgroundColor);
      expect(yellow).toBe('rgb(255, 248, 197)');
      await expectNoAxeViolations(writer, { label: `dashboard composer in Note mode, ${size}` });

      await box.fill(secret);
      await box.press('Enter');
      await note(writer, secret).waitFor({ state: 'visible' });
      expect(await note(writer, secret).getAttribute('aria-label')).toBe('Internal note by Admin');
      expect(await box.inputValue()).toBe('');
      // The colleague's dashboard hears NoteAdded on private-agents: no reload.
      await note(colleague, secret).waitFor({ state: 'visible' });
      expect(await note(colleague, secret).getAttribute('role')).toBe('note');

      // Back to Reply: the answer reaches the visitor after the note was written, the note never does.
      await button(writer, 'Reply').click();
      await replyBox(writer).fill(answer);
      await replyBox(writer).press('Enter');
      await transcriptMessage(writer, 'agent', answer).waitFor({ state: 'visible' });
      await waitForMessage(visitor.page, answer, { sender: 'agent' });
      expect(await bodies(visitor.page)).toEqual([question, answer]);
      expect(await widget(visitor.page).panel.textContent()).not.toContain('fraud check');

      // Transcript order: the note sits between the question and the answer.
      const order = await writer.locator('[data-parley="transcript"] > [data-parley]').evaluateAll((els) => els.map((e) => e.getAttribute('data-parley')));
      expect(order).toEqual(['message', 'note', 'message']);
      await expectNoAxeViolations(writer, { label: `dashboard transcript with an internal note, ${size}` });
    });
  }
});

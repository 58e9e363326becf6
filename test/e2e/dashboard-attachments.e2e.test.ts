import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { humanSize } from '../../web/shared/file-size.js';
import { ROOT } from '../support/process.js';
import { expectNoAxeViolations } from './support/axe.js';
import { type BrowserGlobals, skipWithoutChromium, widget } from './support/browser.js';
import { button, dashboardSuite, DESKTOP, replyBox, row, transcriptMessage } from './support/dashboard.js';
import { ADMIN } from './support/server.js';
import { invoicePdf, landscapePng } from './support/sample-files.js';

/**
 * Attachments in the agent dashboard (docs/dashboard.md, "Attachments"), in Debian's Chromium
 * against a real `parley start`: an agent attaches a PDF with the file chooser and sends it with
 * text; the visitor's widget shows it as a download and the download is the same bytes. A
 * visitor's picture shows inline in the transcript, in the visitor panel's Files and as
 * "📎 NAME" in the inbox. Drop and paste stage files too. axe-core finds nothing at desktop and
 * phone sizes with the preview strip and files on screen. With `ATTACH_SCREENSHOTS=docs/img` the
 * two sizes are saved there for the docs.
 */

const PDF = invoicePdf();
const PNG = landscapePng();
/** `bypassCSP` only so that axe-core can be injected (test/e2e/accessibility.e2e.test.ts says why). */
const SIZES: [string, BrowserContextOptions][] = [
  ['desktop', { ...DESKTOP, bypassCSP: true }],
  ['phone', { ...DESKTOP, bypassCSP: true, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }],
];

const trayFile = (page: Page, name: string) => page.locator('[data-parley="tray-file"]', { hasText: name });
const filesPanel = (page: Page) => page.locator('[data-parley="visitor-panel"] [data-parley="files"]');

/** The visitor's bearer token, as the widget stored it. */
const visitorToken = (page: Page) => page.evaluate(() => (globalThis as unknown as BrowserGlobals).localStorage.getItem('chat_visitor_token'));

/** A file the visitor sends through the customer API, as the widget's upload does. */
async function visitorUpload(url: string, id: number, token: string, name: string, data: Buffer, type: string): Promise<void> {
  const form = new FormData();
  form.append('client_message_id', `e2e-visitor-${Date.now()}`);
  form.append('file', new Blob([data], { type }), name);
  const res = await fetch(`${url}/api/chat/${id}/attachments`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  expect(res.status, await res.clone().text()).toBe(201);
}

/** Picks files with the dashboard's Attach button, as a person would through the chooser. */
async function attach(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]): Promise<void> {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), button(page, 'Attach a file').click()]);
  expect(chooser.isMultiple()).toBe(true);
  await chooser.setFiles(files);
}

async function screenshot(page: Page, name: string): Promise<void> {
  const folder = process.env.ATTACH_SCREENSHOTS;
  if (folder === undefined || folder === '') return;
  mkdirSync(join(ROOT, folder), { recursive: true });
  await page.screenshot({ path: join(ROOT, folder, name) });
}

describe.skipIf(skipWithoutChromium)('agent dashboard: attachments, in Chromium', { timeout: 120_000 }, () => {
  const { parley, context, pageIn, customer, startChat, loginPage, dashboardShown, dashboard, openConversation } = dashboardSuite();

  async function dashboardAt(options: BrowserContextOptions): Promise<Page> {
    const agentPage = await pageIn(await context(options));
    await loginPage(agentPage, ADMIN.email, ADMIN.password);
    await dashboardShown(agentPage.page);
    return agentPage.page;
  }

  it('an agent attaches a PDF with the file chooser and sends it; the visitor downloads the same bytes', async () => {
    const question = 'Could you send me the invoice?';
    const visitor = await customer();
    const id = await startChat(visitor, question);
    const { page } = await dashboard();
    await openConversation(page, id, question);

    await attach(page, [{ name: 'invoice-1042.pdf', mimeType: 'application/pdf', buffer: PDF }]);
    await trayFile(page, 'invoice-1042.pdf').waitFor({ state: 'visible' });
    await expect.poll(() => button(page, 'Remove invoice-1042.pdf').isVisible()).toBe(true);
    await replyBox(page).fill('Here is your invoice.');
    await replyBox(page).press('Enter');

    const sent = transcriptMessage(page, 'agent', 'Here is your invoice.').filter({ has: page.locator('[data-parley="attachment"]') });
    await sent.waitFor({ state: 'visible' });
    const size = humanSize(PDF.length);
    await sent.getByRole('link', { name: `Download invoice-1042.pdf (${size})`, exact: true }).waitFor({ state: 'visible' });
    expect(await page.locator('[data-parley="tray"]').count()).toBe(0);

    // The visitor's widget shows it as a download link with its name and size.
    const link = widget(visitor.page).panel.getByRole('link', { name: `Download invoice-1042.pdf (${size})` });
    await link.waitFor({ state: 'visible' });
    const [download] = await Promise.all([visitor.page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('invoice-1042.pdf');
    expect(readFileSync(await download.path())).toEqual(PDF);
  });

  it("shows the visitor's picture inline in the transcript, in the visitor panel's Files and as the inbox preview", async () => {
    const question = 'This is what I see';
    const visitor = await customer();
    const id = await startChat(visitor, question);
    const { page } = await dashboard();
    await openConversation(page, id, question);

    const token = await visitorToken(visitor.page);
    await visitorUpload(parley().url, id, token ?? '', 'broken-screen.png', PNG, 'image/png');

    const image = page.locator('[data-parley="transcript"] [data-parley="message"][data-sender="visitor"] a[data-kind="image"] img[alt="broken-screen.png"]');
    await image.waitFor({ state: 'visible' });
    expect(await image.getAttribute('loading')).toBe('lazy');
    // The dashboard's own CSP (img-src 'self') lets the signed URL load.
    await expect.poll(() => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(480);
    const opener = image.locator('xpath=..');
    expect(await opener.getAttribute('target')).toBe('_blank');
    expect(await opener.getAttribute('href')).toMatch(/^\/api\/files\/\d+\/broken-screen\.png\?expires=\d+&sig=[0-9a-f]{64}$/);
    // A message of files alone shows no empty text.
    expect(await image.locator('xpath=ancestor::*[@data-parley="message"]').locator('.text').count()).toBe(0);

    const entry = filesPanel(page).locator('[data-parley="file-entry"]', { hasText: 'broken-screen.png' });
    await entry.waitFor({ state: 'visible' });
    expect(await entry.textContent()).toContain(`Visitor #${id}`);
    expect(await row(page, id).locator('.row-preview').textContent()).toBe('📎 broken-screen.png');
  });

  it('stages files dropped on the conversation (with a drop hint) and images pasted into the reply box; Remove takes one out', async () => {
    const question = 'Dropping in';
    const visitor = await customer();
    const id = await startChat(visitor, question);
    const { page } = await dashboard();
    await openConversation(page, id, question);

    const files = await page.evaluateHandle(() => {
      const g = globalThis as unknown as { DataTransfer: new () => { items: { add(f: unknown): void } }; File: new (parts: string[], name: string, o: object) => unknown };
      const data = new g.DataTransfer();
      data.items.add(new g.File(['order notes'], 'notes.txt', { type: 'text/plain' }));
      return data;
    });
    const pane = page.locator('main.conversation');
    await pane.dispatchEvent('dragenter', { dataTransfer: files });
    await page.locator('[data-parley="drop-hint"]').waitFor({ state: 'visible' });
    await pane.dispatchEvent('drop', { dataTransfer: files });
    await trayFile(page, 'notes.txt').waitFor({ state: 'visible' });
    expect(await page.locator('[data-parley="drop-hint"]').count()).toBe(0);

    await replyBox(page).evaluate((box, bytes) => {
      const g = globalThis as unknown as { DataTransfer: new () => { items: { add(f: unknown): void } }; File: new (parts: unknown[], name: string, o: object) => unknown; ClipboardEvent: new (t: string, o: object) => unknown };
      const data = new g.DataTransfer();
      data.items.add(new g.File([new Uint8Array(bytes)], 'image.png', { type: 'image/png' }));
      (box as unknown as { dispatchEvent(e: unknown): void }).dispatchEvent(new g.ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, [...PNG]);
    await trayFile(page, 'image.png').locator('img.thumb').waitFor({ state: 'visible' });

    await button(page, 'Remove notes.txt').click();
    await expect.poll(() => trayFile(page, 'notes.txt').count()).toBe(0);
    await button(page, 'Send').click();
    await transcriptMessage(page, 'agent', '').locator('a[data-kind="image"] img[alt="image.png"]').waitFor({ state: 'visible' });
    expect((await parley().agent.transcript(id)).filter((m) => m.sender === 'agent')).toHaveLength(1);
  });

  it("shows a refused file's reason from the server as an alert, and a Retry control on it", async () => {
    const question = 'Can you open this?';
    const visitor = await customer();
    const id = await startChat(visitor, question);
    const { page } = await dashboard();
    await openConversation(page, id, question);

    await attach(page, [{ name: 'drawing.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') }]);
    await button(page, 'Send').click();
    const alert = page.locator('main.conversation [role="alert"]').filter({ hasText: /^Not sent: \S/ });
    await alert.waitFor({ state: 'visible' });
    const refused = page.locator('[data-parley="message"][data-pending="true"].failed', { hasText: 'drawing.svg' });
    await refused.getByRole('button', { name: 'Retry', exact: true }).waitFor({ state: 'visible' });
    expect((await parley().agent.transcript(id)).filter((m) => m.sender === 'agent')).toEqual([]);
  });

  for (const [n, [size, options]] of SIZES.entries()) {
    it(`has no axe-core violations with files in the transcript and the preview strip showing (${size})`, async () => {
      const question = `Here are my files (${size})`;
      // A device of its own (another fingerprint): no earlier conversations in the visitor panel.
      const visitor = await customer({ ...DESKTOP, viewport: { width: 1300 + 16 * n, height: 800 } });
      const id = await startChat(visitor, question);
      await visitorUpload(parley().url, id, (await visitorToken(visitor.page)) ?? '', 'kitchen-tap.png', PNG, 'image/png');
      await parley().agentReply(id, 'Thanks, that helps.');

      const page = await dashboardAt(options);
      await row(page, id).click();
      await page.locator('[data-parley="transcript"] img[alt="kitchen-tap.png"]').waitFor({ state: 'visible' });
      await attach(page, [{ name: 'returns-label.pdf', mimeType: 'application/pdf', buffer: PDF }]);
      await replyBox(page).fill('Print this label and attach it to the parcel.');
      await replyBox(page).press('Enter');
      await page.locator('[data-parley="transcript"] [data-kind="file"]').waitFor({ state: 'visible' });
      await attach(page, [{ name: 'replacement-part.png', mimeType: 'image/png', buffer: PNG }]);
      await trayFile(page, 'replacement-part.png').locator('img.thumb').waitFor({ state: 'visible' });
      await replyBox(page).fill('And this is the part we will send.');

      await expectNoAxeViolations(page, { label: `dashboard attachments, ${size}` });
      await screenshot(page, `dashboard-attachments-${size}.png`);
      if (size === 'phone') {
        await button(page, 'Visitor info').click();
        await filesPanel(page).waitFor({ state: 'visible' });
        await expectNoAxeViolations(page, { label: 'dashboard visitor info with files, phone' });
      } else {
        await filesPanel(page).waitFor({ state: 'visible' });
        expect(await filesPanel(page).locator('[data-parley="file-entry"]').count()).toBe(2);
      }
    });
  }
});

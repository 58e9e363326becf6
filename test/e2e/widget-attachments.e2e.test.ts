import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { humanSize } from '../../web/shared/file-size.js';
import { expectNoAxeViolations } from './support/axe.js';
import { type BrowserGlobals, conversationId, skipWithoutChromium, waitForMessage, widget } from './support/browser.js';
import { dashboardSuite, transcriptMessage } from './support/dashboard.js';
import { invoicePdf, landscapePng } from './support/sample-files.js';

/**
 * Files in the customer widget (docs/widget.md, "Attachments"): pasting a screenshot, picking a
 * file, the preview strip, refusals before upload, and an upload that survives a reload, against
 * the real `parley start` in Debian's Chromium. With `ATTACHMENT_SCREENSHOTS=docs/img` the panel
 * is saved there for the docs, at desktop and phone sizes.
 */

const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, locale: 'en-GB', timezoneId: 'Europe/London', reducedMotion: 'reduce' };
const PHONE: BrowserContextOptions = { ...DESKTOP, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const PNG = landscapePng();
const PDF = invoicePdf();
const SCREENSHOT_NAME = /^screenshot-\d{8}-\d{6}\.png$/;

interface AgentAttachment {
  name: string;
  size: number;
  type: string;
  url: string;
  image: boolean;
}
type AgentMessage = { body: string; sender: string; client_message_id?: string; attachments?: AgentAttachment[] };

/** Pastes a file into the message box the way a browser does for a screenshot on the clipboard. */
async function paste(page: Page, name: string, bytes: Buffer, type: string): Promise<void> {
  await widget(page).composer.evaluate(
    (box, file) => {
      const g = globalThis as unknown as Record<string, new (...args: unknown[]) => { items: { add(file: unknown): void } }>;
      const data = new g.DataTransfer!();
      const raw = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
      data.items.add(new g.File!([raw], file.name, { type: file.type }));
      box.dispatchEvent(new g.ClipboardEvent!('paste', { clipboardData: data, bubbles: true, cancelable: true }) as unknown as Event);
    },
    { name, type, base64: bytes.toString('base64') },
  );
}

/** Picks files with the attach button's file chooser. */
async function pick(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]): Promise<void> {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Attach a file', exact: true }).click()]);
  await chooser.setFiles(files);
}

/** Drags a file over the panel (`dragover`), then drops it or leaves (`dragleave` to outside). */
async function drag(page: Page, type: 'dragover' | 'drop' | 'dragleave', name: string, bytes: Buffer, mime: string): Promise<void> {
  await widget(page).panel.evaluate(
    (panel, file) => {
      const g = globalThis as unknown as Record<string, new (...args: unknown[]) => { items: { add(file: unknown): void } }>;
      const data = new g.DataTransfer!();
      data.items.add(new g.File!([Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0))], file.name, { type: file.mime }));
      panel.dispatchEvent(new g.DragEvent!(file.type, { dataTransfer: data, bubbles: true, cancelable: true, relatedTarget: null }) as unknown as Event);
    },
    { type, name, mime, base64: bytes.toString('base64') },
  );
}

const preview = (page: Page) => widget(page).host.locator('[data-parley="attachments-preview"]');

/** The number of files the widget keeps in IndexedDB (db `parley`, store `files`). */
const storedFiles = (page: Page): Promise<number> =>
  page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const g = globalThis as unknown as { indexedDB: { open(name: string): { result: { objectStoreNames: { contains(s: string): boolean }; transaction(s: string): { objectStore(s: string): { count(): { result: number; onsuccess: () => void } } } }; onsuccess: () => void; onupgradeneeded: (() => void) | null } } };
        const open = g.indexedDB.open('parley');
        open.onupgradeneeded = null;
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('files')) return resolve(0);
          const count = db.transaction('files').objectStore('files').count();
          count.onsuccess = () => resolve(count.result);
        };
      }),
  );

describe.skipIf(skipWithoutChromium)('customer widget: attachments, in Chromium', { timeout: 120_000 }, () => {
  // An agent online, so the widget takes messages without asking for an email first.
  let leave: (() => void) | undefined;
  const { parley, customer, dashboard, openConversation } = dashboardSuite(async (server) => {
    leave = await server.agent.goOnline();
  });
  afterAll(() => leave?.());

  const agentMessages = async (id: number) => (await parley().agent.transcript(id)) as unknown as AgentMessage[];

  it('pastes a screenshot into the message box, previews it and sends it with the text: the agent sees the picture', async () => {
    const visitor = await customer();
    const { page } = visitor;
    await paste(page, 'image.png', PNG, 'image/png');

    const chip = preview(page).locator('li');
    await chip.waitFor({ state: 'visible' });
    const name = ((await chip.locator('.name').textContent()) ?? '').trim();
    expect(name).toMatch(SCREENSHOT_NAME);
    expect(await chip.locator('.size').textContent()).toBe(humanSize(PNG.length));
    await page.getByRole('button', { name: `Remove ${name}`, exact: true }).waitFor({ state: 'visible' });
    // The thumbnail (a data: URL) loads under the demo page's Content-Security-Policy.
    await expect.poll(() => chip.locator('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);

    await widget(page).composer.fill('This is the error I get');
    await widget(page).composer.press('Enter');
    // The first message of a conversation: the widget starts it, then uploads.
    await waitForMessage(page, 'This is the error I get', { sender: 'visitor', state: 'sent', timeout: 20_000 });
    await preview(page).waitFor({ state: 'hidden' });
    const image = widget(page).message.locator(`a[data-kind="image"] img[alt="${name}"]`);
    await image.waitFor({ state: 'visible' });
    expect(await image.getAttribute('loading')).toBe('lazy');
    await expect.poll(() => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(480);
    const opener = image.locator('xpath=..');
    expect(await opener.getAttribute('target')).toBe('_blank');
    expect(await opener.getAttribute('href')).toMatch(new RegExp(`^${parley().url}/api/files/\\d+/screenshot-\\d{8}-\\d{6}\\.png\\?expires=\\d+&sig=[0-9a-f]+$`));
    // The thumbnail is at most about 220 px wide.
    expect((await image.boundingBox())?.width).toBeLessThanOrEqual(221);
    await expect.poll(() => storedFiles(page)).toBe(0);

    const id = await conversationId(page);
    const stored = (await agentMessages(id)).filter((m) => m.attachments?.length);
    expect(stored).toEqual([expect.objectContaining({ sender: 'visitor', body: 'This is the error I get', attachments: [expect.objectContaining({ name, type: 'image/png', image: true })] })]);

    const agent = await dashboard();
    await openConversation(agent.page, id, 'This is the error I get');
    await transcriptMessage(agent.page, 'visitor', 'This is the error I get').locator(`img[alt="${name}"]`).waitFor({ state: 'visible' });
  });

  it('picks a PDF with the attach button and sends it alone: a download link with name and size, no empty bubble', async () => {
    const { page } = await customer();
    await pick(page, [{ name: 'invoice-1042.pdf', mimeType: 'application/pdf', buffer: PDF }]);
    await preview(page).locator('li', { hasText: 'invoice-1042.pdf' }).waitFor({ state: 'visible' });
    await widget(page).send.click();
    const link = widget(page).panel.getByRole('link', { name: `Download invoice-1042.pdf (${humanSize(PDF.length)})`, exact: true });
    await link.waitFor({ state: 'visible', timeout: 20_000 });
    const message = widget(page).message.filter({ has: page.getByRole('link', { name: /^Download invoice-1042\.pdf/ }) });
    await expect.poll(() => message.getAttribute('data-state')).toBe('sent');
    expect(await message.locator('[data-parley="body"]').isVisible()).toBe(false);
  });

  it('stages a file dropped onto the panel, with a hint while it is dragged over; Remove takes it out', async () => {
    const { page } = await customer();
    const hint = widget(page).host.locator('[data-parley="drop-hint"]');
    await drag(page, 'dragover', 'invoice-1042.pdf', PDF, 'application/pdf');
    await hint.waitFor({ state: 'visible' });
    expect(await hint.textContent()).toBe('Drop files here to send them');
    await drag(page, 'dragleave', 'invoice-1042.pdf', PDF, 'application/pdf');
    await hint.waitFor({ state: 'hidden' });
    await drag(page, 'dragover', 'invoice-1042.pdf', PDF, 'application/pdf');
    await drag(page, 'drop', 'invoice-1042.pdf', PDF, 'application/pdf');
    await hint.waitFor({ state: 'hidden' });
    await preview(page).locator('li', { hasText: 'invoice-1042.pdf' }).waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'Remove invoice-1042.pdf', exact: true }).click();
    await preview(page).waitFor({ state: 'hidden' });
    // With nothing staged and no text, Send sends nothing.
    await widget(page).send.click();
    expect(await widget(page).message.count()).toBe(0);
  });

  it('refuses a kind of file the server does not accept before uploading it, and says why', async () => {
    const { page } = await customer();
    const uploads: string[] = [];
    page.on('request', (request) => request.url().includes('/attachments') && uploads.push(request.url()));
    await pick(page, [{ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') }]);
    const alert = widget(page).host.locator('[data-parley="attachment-error"][role="alert"]');
    await alert.waitFor({ state: 'visible' });
    expect(await alert.textContent()).toBe('logo.svg cannot be sent: this kind of file is not accepted.');
    expect(await preview(page).isVisible()).toBe(false);
    expect(uploads).toEqual([]);
  });

  it('retries an upload cut off by a reload with the same id after the reload: the message is stored once', async () => {
    const visitor = await customer();
    const { page } = visitor;
    await widget(page).composer.fill('Hello');
    await widget(page).composer.press('Enter');
    await waitForMessage(page, 'Hello', { state: 'sent' });
    const id = await conversationId(page);

    // The first upload waits at the gate (pending), then reaches the server, but its answer is lost;
    // every later attempt is blocked until the route is lifted.
    let [reached, release, stored] = [() => {}, () => {}, () => {}];
    const arrived = new Promise<void>((resolve) => (reached = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const kept = new Promise<void>((resolve) => (stored = resolve));
    let [attempts, reloaded] = [0, false];
    const retriedIds: string[] = [];
    await page.route('**/api/chat/*/attachments', async (route) => {
      attempts += 1;
      if (attempts === 1) {
        reached();
        await gate;
        await route.fetch();
        stored();
      } else if (reloaded) retriedIds.push(route.request().postDataBuffer()?.toString('latin1') ?? '');
      await route.abort('connectionreset');
    });
    await paste(page, 'image.png', PNG, 'image/png');
    await preview(page).locator('li').waitFor({ state: 'visible' });
    await widget(page).composer.fill('Sent before the reload');
    await widget(page).composer.press('Enter');
    await arrived;
    const pending = widget(page).message.last();
    expect(await pending.getAttribute('data-state')).toBe('pending');
    await pending.locator('[data-parley="attachment"]', { hasText: /screenshot-\d{8}-\d{6}\.png \(/ }).waitFor({ state: 'visible' });
    await expect.poll(() => storedFiles(page)).toBe(1);
    release();
    await kept;
    await expect.poll(async () => (await agentMessages(id)).filter((m) => m.body === 'Sent before the reload')).toHaveLength(1);
    // Unacknowledged: still queued, its bytes still kept.
    const outbox = (await page.evaluate(() => (globalThis as unknown as BrowserGlobals).localStorage.getItem('chat_outbox'))) ?? '[]';
    const [queued] = JSON.parse(outbox) as { client_message_id: string; body: string }[];
    expect(queued?.body).toBe('Sent before the reload');
    expect(await storedFiles(page)).toBe(1);

    reloaded = true;
    await page.reload();
    // The new page sends the same file again, with the same client_message_id.
    await expect.poll(() => retriedIds.length, { timeout: 15_000, message: 'an upload attempt after the reload' }).toBeGreaterThan(0);
    expect(retriedIds[0]).toContain(queued?.client_message_id);
    expect(retriedIds[0]).toContain('Sent before the reload');
    await page.unroute('**/api/chat/*/attachments');
    await expect.poll(() => storedFiles(page), { timeout: 20_000 }).toBe(0);
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as BrowserGlobals).localStorage.getItem('chat_outbox'))).toBeNull();
    await waitForMessage(page, 'Sent before the reload', { state: 'sent' });
    await widget(page).message.last().locator('a[data-kind="image"] img').waitFor({ state: 'visible' });
    await expect.poll(() => storedFiles(page)).toBe(0);
    const copies = (await agentMessages(id)).filter((m) => m.body === 'Sent before the reload');
    expect(copies).toHaveLength(1);
    expect(copies[0]?.attachments).toHaveLength(1);
  });

  it.each([
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ])('has no axe-core violations with attachment messages and the preview strip showing (%s)', async (size, options) => {
    // The demo page's CSP would keep axe-core out.
    const visitor = await customer({ ...options, bypassCSP: true });
    const { page } = visitor;
    await widget(page).composer.fill('Hi! My order arrived damaged.');
    await widget(page).composer.press('Enter');
    await waitForMessage(page, 'Hi! My order arrived damaged.', { state: 'sent' });
    const id = await conversationId(page);
    await paste(page, 'image.png', PNG, 'image/png');
    await preview(page).locator('li').waitFor({ state: 'visible' });
    await widget(page).composer.fill('This is how it looked');
    await widget(page).composer.press('Enter');
    await waitForMessage(page, 'This is how it looked', { state: 'sent', timeout: 20_000 });
    await parley().agentReply(id, 'Sorry to hear that! Could you send the invoice too?');
    await waitForMessage(page, 'Sorry to hear that! Could you send the invoice too?');
    await pick(page, [{ name: 'invoice-1042.pdf', mimeType: 'application/pdf', buffer: PDF }]);
    await widget(page).send.click();
    await widget(page).panel.getByRole('link', { name: /^Download invoice-1042\.pdf/ }).waitFor({ state: 'visible', timeout: 20_000 });
    await pick(page, [{ name: 'receipt.pdf', mimeType: 'application/pdf', buffer: PDF }]);
    await paste(page, 'image.png', PNG, 'image/png');
    await expect.poll(() => preview(page).locator('li img').count()).toBe(1);
    await widget(page).composer.fill('And two more');
    await widget(page).message.last().scrollIntoViewIfNeeded();

    await expectNoAxeViolations(page, { label: `widget attachments, ${size}`, include: '#parley-widget' });
    const folder = process.env.ATTACHMENT_SCREENSHOTS;
    if (folder) {
      mkdirSync(folder, { recursive: true });
      await page.screenshot({ path: join(folder, `widget-attachments-${size}.png`) });
    }
  });
});

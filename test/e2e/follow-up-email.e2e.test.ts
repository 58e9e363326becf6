import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/process.js';
import type { ReceivedMail } from '../support/smtp-message.js';
import { TestSmtpServer } from '../support/smtp-server.js';
import { expectNoAxeViolations } from './support/axe.js';
import { closeAll, conversationId, launchBrowser, newPage, openWidget, send, skipWithoutChromium, type TestPage, VISITOR_EMAIL, waitForMessage, widget } from './support/browser.js';
import { ensureBuilt, type ParleyServer, startParley } from './support/server.js';

/**
 * The whole follow-up journey (docs/email.md, "What is sent when") with `parley start`, a real
 * SMTP server in the test process and Debian's Chromium: a visitor writes while nobody is
 * available, gives an email and closes the tab; an agent replies; one email per burst arrives;
 * its link, followed on another device, reopens the widget with the replies, and the visitor's
 * answer continues the conversation. With `EMAIL_SCREENSHOTS=docs/img` the rendered email is
 * saved there for the docs.
 */

const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, locale: 'en-GB', timezoneId: 'Europe/London', reducedMotion: 'reduce', bypassCSP: true };
const PHONE: BrowserContextOptions = { ...DESKTOP, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const REPLIES = ['Hi! Thanks for waiting.', 'Your order #1042 left our warehouse this morning.', 'It should arrive on Friday.'];

/** One `parley start` with a real SMTP server and follow-ups after `delaySeconds`, and one Chromium, for a `describe` block. */
function followUpSuite(delaySeconds: number) {
  let smtp: TestSmtpServer | undefined;
  let parley: ParleyServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const pages: TestPage[] = [];

  beforeAll(async () => {
    ensureBuilt();
    smtp = await TestSmtpServer.start();
    parley = await startParley({
      MAIL_MAILER: 'smtp',
      MAIL_HOST: '127.0.0.1',
      MAIL_PORT: String(smtp.port),
      MAIL_FROM_ADDRESS: 'chat@acme-garden.example',
      MAIL_FROM_NAME: 'Acme Garden Supplies',
      CHAT_FOLLOWUP_DELAY_SECONDS: String(delaySeconds),
      CHAT_UNANSWERED_DELAY_SECONDS: '0',
    });
    browser = await launchBrowser();
  }, 240_000);

  afterEach(async () => {
    expect(await closeAll(contexts, pages), 'uncaught errors in the page').toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await parley?.stop();
    await smtp?.close();
  });

  const device = async (options: BrowserContextOptions = DESKTOP): Promise<TestPage> => {
    const context = await (browser as Browser).newContext(options);
    contexts.push(context);
    const page = await newPage(context);
    pages.push(page);
    return page;
  };
  const followUps = (): ReceivedMail[] => (smtp as TestSmtpServer).received.filter((m) => m.recipients.includes(VISITOR_EMAIL));
  return {
    parley: () => parley as ParleyServer,
    device,
    followUps,
    /** Waits for the `n`-th follow-up email to reach the SMTP server. */
    nthFollowUp: async (n: number): Promise<ReceivedMail> => {
      await expect.poll(() => followUps().length, { timeout: 20_000, interval: 100, message: `follow-up email ${n} received` }).toBeGreaterThanOrEqual(n);
      return followUps()[n - 1] as ReceivedMail;
    },
    /** A visitor writes while nobody is available (giving an email when asked), then closes the tab; answers the conversation id. */
    writeAndLeave: async (body: string): Promise<number> => {
      const visitor = await device();
      await visitor.page.goto(`${(parley as ParleyServer).url}/`);
      await openWidget(visitor.page);
      await widget(visitor.page).away.waitFor({ state: 'visible' });
      await send(visitor.page, body);
      await waitForMessage(visitor.page, body, { sender: 'visitor', state: 'sent' });
      const id = await conversationId(visitor.page);
      await visitor.page.context().close();
      return id;
    },
  };
}

describe.skipIf(skipWithoutChromium)('follow-up email after a visitor left, in Chromium', { timeout: 90_000 }, () => {
  const { parley, device, followUps, nthFollowUp, writeAndLeave } = followUpSuite(2);

  it('mails the replies once per burst, and its link reopens the conversation on another device', async () => {
    // The visitor writes while nobody is available (the widget asks for an email first) and closes the tab.
    const id = await writeAndLeave('Where is my order #1042?');

    // An agent answers three times in a row: one burst, one email.
    for (const body of REPLIES) await parley().agentReply(id, body);
    const first = await nthFollowUp(1);
    expect(first.subject).toBe('3 new replies to your message');
    for (const body of REPLIES) expect(first.text).toContain(body);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/[^\s]*#parley-link=[A-Za-z0-9_-]{43})/.exec(first.text)?.[1];
    expect(link, 'the link back to the chat').toBeDefined();
    expect(first.html).toContain(`href="${link}"`);

    // A later reply is a new burst: a second email with that reply only.
    await parley().agentReply(id, 'PS: the tracking number is AG-77.');
    const second = await nthFollowUp(2);
    expect(second.text).toContain('AG-77');
    expect(second.text).not.toContain(REPLIES[1]);

    // The first link, followed on a phone: the widget opens with the whole conversation.
    const phone = await device(PHONE);
    await phone.page.goto(link as string);
    await expect.poll(() => widget(phone.page).host.getAttribute('data-link'), { timeout: 15_000 }).toBe('opened');
    await widget(phone.page).panel.waitFor({ state: 'visible' });
    for (const body of REPLIES) await waitForMessage(phone.page, body, { sender: 'agent' });
    expect(phone.page.url()).not.toContain('parley-link');
    await expectNoAxeViolations(phone.page, { label: 'widget reopened from a follow-up email (phone)' });
    const shots = process.env.EMAIL_SCREENSHOTS;
    if (shots !== undefined) await phone.page.screenshot({ path: join(ROOT, shots, 'widget-follow-up-link-phone.png') });

    // The visitor's answer continues the same conversation.
    await send(phone.page, 'Thank you, Friday is fine.');
    await waitForMessage(phone.page, 'Thank you, Friday is fine.', { sender: 'visitor', state: 'sent' });
    expect(await conversationId(phone.page)).toBe(id);
    const transcript = await parley().agent.transcript(id);
    expect(transcript.filter((m) => m.sender === 'visitor').map((m) => m.body)).toEqual(['Where is my order #1042?', 'Thank you, Friday is fine.']);

    // The link was single-use: followed again, it opens nothing and says so.
    const again = await device();
    await again.page.goto(link as string);
    await expect.poll(() => widget(again.page).host.getAttribute('data-link'), { timeout: 15_000 }).toBe('expired');
    await expectNoAxeViolations(again.page, { label: 'widget after a used follow-up link (desktop)' });

    // Counted: two bursts, two emails, never more.
    expect(followUps()).toHaveLength(2);

    if (shots !== undefined) {
      mkdirSync(join(ROOT, shots), { recursive: true });
      const mailPage = await device({ viewport: { width: 720, height: 900 }, locale: 'en-GB' });
      await mailPage.page.setContent(first.html);
      await mailPage.page.screenshot({ path: join(ROOT, shots, 'email-follow-up.png'), fullPage: true });
    }
  });
});

describe.skipIf(skipWithoutChromium)('follow-ups across a crash of the server, in Chromium', { timeout: 90_000 }, () => {
  const { parley, followUps, nthFollowUp, writeAndLeave } = followUpSuite(4);

  it('sends the burst pending when the server was killed once it is back, exactly once', async () => {
    const id = await writeAndLeave('Do you deliver on Saturdays?');
    for (const body of REPLIES) await parley().agentReply(id, body);
    // Killed within the delay, before any node could have queued the follow-up; nothing was in memory only.
    await parley().restart('SIGKILL');

    const mail = await nthFollowUp(1);
    for (const body of REPLIES) expect(mail.text).toContain(body);

    // Counted: the next burst is the second email, with the new reply only; nothing came in between.
    await parley().agentReply(id, 'We deliver on Saturdays too.');
    const next = await nthFollowUp(2);
    expect(next.text).toContain('We deliver on Saturdays too.');
    expect(next.text).not.toContain(REPLIES[0]);
    expect(followUps()).toHaveLength(2);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmailDraft } from '../src/mail/email-template.js';
import { createParley, type Parley } from '../src/main.js';
import { migrate, openStorage, type Storage } from '../src/storage/database.js';
import { ManualClock } from '../src/time/clock.js';
import { ManualTimers } from '../src/time/timers.js';
import { freshStorage } from './support/engines.js';
import { testConfig } from './support/harness.js';
import { smtpEnv, TestSmtpServer } from './support/smtp-server.js';

/**
 * Email through a real SMTP server in the test process (docs/email.md): what arrives, the
 * unsubscribe link followed, an outage in the middle of a burst, and a restart mid-queue.
 */
const draft = (n: number): EmailDraft => ({ subject: `Reply ${n}`, blocks: [{ kind: 'paragraph', text: `Body <${n}>` }] });
const RETRY_WAIT = 3_600_000;

describe('email delivery over SMTP', () => {
  let smtp: TestSmtpServer;
  let parleys: Parley[];
  let timers: ManualTimers;

  const mailEnv = () => smtpEnv(smtp.port);

  const start = async (storage: Storage): Promise<Parley> => {
    const parley = await createParley(testConfig(mailEnv()), pino({ level: 'silent' }), { clock: timers.clock, timers, storage });
    parleys.push(parley);
    return parley;
  };

  beforeEach(async () => {
    smtp = await TestSmtpServer.start();
    parleys = [];
    timers = new ManualTimers(new ManualClock(Date.now()));
  });
  afterEach(async () => {
    for (const parley of parleys) await parley.close();
    await smtp.close();
  });

  it('delivers a queued email with its recipient, subject, both bodies and the one-click unsubscribe headers', async () => {
    const parley = await start(await freshStorage('sqlite'));

    expect(await parley.mail.outbox.enqueue({ to: 'ann@example.test', kind: 'test', draft: draft(1) })).toEqual({ status: 'queued', id: expect.any(Number) });
    await smtp.waitFor(1);
    await parley.mail.worker.runOnce();

    const [mail] = smtp.received;
    const link = `https://chat.example/email/unsubscribe?token=${parley.mail.tokens.sign('ann@example.test')}`;
    expect(mail?.recipients).toEqual(['ann@example.test']);
    expect(mail?.headers.get('from')).toBe('Shop Chat <chat@shop.example>');
    expect(mail?.subject).toBe('Reply 1');
    expect(mail?.text).toBe(`Body <1>\n\n--\n\nSent by Shop Chat. To stop these emails: ${link}\n`);
    expect(mail?.html).toContain('Body &lt;1&gt;');
    expect(mail?.html).toContain(`<a href="${link}"`);
    expect(mail?.headers.get('list-unsubscribe')).toBe(`<${link}>`);
    expect(mail?.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(await parley.mail.queue.counts()).toMatchObject({ pending: 0, sent: 1 });
  });

  it('follows the unsubscribe link: the page asks, the one-click POST records, and nothing more is sent to that address', async () => {
    const parley = await start(await freshStorage('sqlite'));
    const later = await parley.mail.outbox.enqueue({ to: 'Ann@Example.test', kind: 'test', draft: draft(2), sendAfter: timers.clock.now() + 60_000 });
    expect(later.status).toBe('queued');
    await parley.mail.outbox.enqueue({ to: 'ann@example.test', kind: 'test', draft: draft(1) });
    await smtp.waitFor(1);
    await parley.mail.worker.runOnce();
    const url = new URL(/<(.+)>/.exec(smtp.received[0]?.headers.get('list-unsubscribe') ?? '')?.[1] ?? '');

    const page = await parley.app.inject({ method: 'GET', url: url.pathname + url.search });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<form method="post"');
    expect(await parley.mail.suppressions.isSuppressed('ann@example.test')).toBe(false);

    const oneClick = await parley.app.inject({
      method: 'POST',
      url: url.pathname + url.search,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.statusCode).toBe(200);
    expect(oneClick.body).toContain('You are unsubscribed');

    expect(await parley.mail.outbox.enqueue({ to: 'ann@example.test', kind: 'test', draft: draft(3) })).toEqual({ status: 'suppressed' });
    timers.advance(60_000);
    expect(await parley.mail.worker.runOnce()).toMatchObject({ sent: 0, suppressed: 1 });
    expect(await parley.mail.queue.counts()).toMatchObject({ sent: 1, suppressed: 1, pending: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it('answers a changed token with a 400 page, not an unsubscription', async () => {
    const parley = await start(await freshStorage('sqlite'));
    const token = parley.mail.tokens.sign('ann@example.test');

    const res = await parley.app.inject({ method: 'POST', url: `/email/unsubscribe?token=${token.slice(0, -2)}` });

    expect(res.statusCode).toBe(400);
    expect(await parley.mail.suppressions.isSuppressed('ann@example.test')).toBe(false);
  });

  it('sends an email queued for later when the poll timer comes round after its time', async () => {
    const parley = await start(await freshStorage('sqlite'));
    await parley.mail.outbox.enqueue({ to: 'ann@example.test', kind: 'test', draft: draft(1), sendAfter: timers.clock.now() + 60_000 });
    await parley.mail.worker.runOnce();
    expect(smtp.received).toHaveLength(0);

    timers.advance(60_000);
    await smtp.waitFor(1);
  });

  it.each([
    ['refuses with 421', (s: TestSmtpServer) => s.refuse(421), (s: TestSmtpServer) => s.accept()],
    ['is down', (s: TestSmtpServer) => s.stop(), (s: TestSmtpServer) => s.restart()],
  ])('delivers every email of a burst exactly once after the SMTP server %s for a while', async (_case, outage, recover) => {
    const parley = await start(await freshStorage('sqlite'));
    for (let n = 0; n < 5; n++) await parley.mail.outbox.enqueue({ to: `v${n}@example.test`, kind: 'test', draft: draft(n) });
    await smtp.waitFor(5);

    await outage(smtp);
    for (let n = 5; n < 20; n++) await parley.mail.outbox.enqueue({ to: `v${n}@example.test`, kind: 'test', draft: draft(n) });
    await parley.mail.worker.runOnce();
    expect(await parley.mail.queue.counts()).toMatchObject({ sent: 5, pending: 15 });

    await recover(smtp);
    timers.advance(RETRY_WAIT);
    await smtp.waitFor(20);
    await parley.mail.worker.runOnce();

    expect(await parley.mail.queue.counts()).toEqual({ pending: 0, sent: 20, failed: 0, suppressed: 0 });
    expect(smtp.received).toHaveLength(20);
    expect([...smtp.subjectCounts().values()].every((count) => count === 1)).toBe(true);
    expect(new Set(smtp.received.map((mail) => mail.recipients[0])).size).toBe(20);
  });

  it('leaves an email claimed by a node that died mid-send until its lease expires, then sends it once', async () => {
    const parley = await start(await freshStorage('sqlite'));
    await parley.mail.queue.enqueue({ to: 'ann@example.test', subject: 'Orphan', text: 'x', html: '<p>x</p>', kind: 'test' }, timers.clock.now());
    expect(await parley.mail.queue.claimDue('dead-node', timers.clock.now(), 120_000, 10)).toHaveLength(1);

    expect(await parley.mail.worker.runOnce()).toMatchObject({ sent: 0 });
    timers.advance(120_000);
    await smtp.waitFor(1);
    await parley.mail.worker.runOnce();

    expect(smtp.subjectCounts()).toEqual(new Map([['Orphan', 1]]));
    expect(await parley.mail.queue.counts()).toMatchObject({ sent: 1, pending: 0 });
  });

  describe('across a restart', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'parley-mail-'));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('loses none and doubles none of the emails queued when the server stopped mid-queue', async () => {
      const file = join(dir, 'parley.sqlite');
      const open = async () => {
        const storage = openStorage({ kind: 'sqlite', file });
        await migrate(storage);
        return storage;
      };
      const first = await start(await open());
      for (let n = 0; n < 5; n++) await first.mail.outbox.enqueue({ to: `v${n}@example.test`, kind: 'test', draft: draft(n) });
      await smtp.waitFor(5);
      smtp.refuse(451);
      for (let n = 5; n < 12; n++) await first.mail.outbox.enqueue({ to: `v${n}@example.test`, kind: 'test', draft: draft(n) });
      await first.mail.worker.runOnce();
      await first.close();
      parleys = parleys.filter((p) => p !== first);

      smtp.accept();
      timers.advance(RETRY_WAIT);
      const second = await start(await open());
      await smtp.waitFor(12);
      await second.mail.worker.runOnce();

      expect(await second.mail.queue.counts()).toEqual({ pending: 0, sent: 12, failed: 0, suppressed: 0 });
      expect(smtp.received).toHaveLength(12);
      expect([...smtp.subjectCounts().values()].every((count) => count === 1)).toBe(true);
    });
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES, skipEngine } from './support/engines.js';
import { startHarness, type Harness } from './support/harness.js';
import { smtpEnv, TestSmtpServer } from './support/smtp-server.js';

/** `POST /api/chat/{id}/transcript` (docs/api.md): the visitor's transcript, mailed through a real SMTP server. */
const SITE = 'https://shop.example';
const IP_1 = '203.0.113.10';
const IP_2 = '198.51.100.20';

interface Started {
  conversation: { id: number };
  visitor_token: string;
}

describe.each(ENGINES)('transcript by email on %s', (engine) => {
  let h: Harness;
  let smtp: TestSmtpServer;

  beforeEach(async (ctx) => {
    if (skipEngine(engine)) return ctx.skip();
    smtp = await TestSmtpServer.start();
    h = await startHarness(engine, { ...smtpEnv(smtp.port), CHAT_RATE_LIMIT_TRANSCRIPT: '2/1h' });
  });
  afterEach(async () => {
    await h?.close();
    await smtp?.close();
  });

  const start = async (json: Record<string, unknown>): Promise<Started> => {
    const res = await h.request({ method: 'POST', url: '/api/chat/start', json, headers: { origin: SITE } });
    expect(res.statusCode).toBe(201);
    return res.json<Started>();
  };
  const ask = (chat: Started, opts: { token?: string; ip?: string } = {}) =>
    h.request({
      method: 'POST',
      url: `/api/chat/${chat.conversation.id}/transcript`,
      ip: opts.ip ?? IP_1,
      headers: { authorization: `Bearer ${opts.token ?? chat.visitor_token}` },
    });
  /** Other emails (agents' notifications) may arrive too: waits for the transcript among them. */
  const transcriptMail = async () => {
    for (;;) {
      const found = smtp.received.find((m) => m.subject.startsWith('Transcript'));
      if (found) return found;
      await smtp.waitFor(smtp.received.length + 1);
    }
  };
  const queuedTranscripts = async () => (await h.parley.storage.db.selectFrom('email_queue').select('recipient').where('kind', '=', 'transcript').execute()).map((r) => r.recipient);

  it('mails every message in order, with names, to the conversation email, escaped in HTML', async () => {
    const chat = await start({ name: 'Ann', email: 'ann@example.test', message: 'Hello, is my order shipped?', page_url: 'https://shop.example/orders/7' });
    const agent = await h.loginAs();
    const reply = await h.request({ method: 'POST', url: `/api/agent/conversations/${chat.conversation.id}/messages`, headers: agent.headers, json: { body: 'Yes, <b>today</b>.' } });
    expect(reply.statusCode).toBe(201);
    const sent = await h.request({ method: 'POST', url: `/api/chat/${chat.conversation.id}/messages`, headers: { authorization: `Bearer ${chat.visitor_token}` }, json: { body: '<script>alert(1)</script> thanks' } });
    expect(sent.statusCode).toBe(201);

    const res = await ask(chat);

    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'queued' });
    const mail = await transcriptMail();
    expect(mail.recipients).toEqual(['ann@example.test']);
    expect(mail.subject).toBe(`Transcript of your conversation #${chat.conversation.id}`);
    const bodies = ['Hello, is my order shipped?', 'Yes, <b>today</b>.', '<script>alert(1)</script> thanks'];
    const inText = bodies.map((b) => mail.text.indexOf(`> ${b}`) ?? -1);
    expect(inText.every((at) => at >= 0)).toBe(true);
    expect(inText).toEqual([...inText].sort((a, b) => a - b));
    expect(mail.text).toMatch(/Ann, \d{4}-\d\d-\d\d \d\d:\d\d UTC:\n> Hello/);
    expect(mail.text).toMatch(/Admin, \d{4}-\d\d-\d\d \d\d:\d\d UTC:\n> Yes/);
    expect(mail.text).toContain('Back to the page you chatted on: https://shop.example/orders/7');
    const escaped = ['Hello, is my order shipped?', 'Yes, &lt;b&gt;today&lt;/b&gt;.', '&lt;script&gt;alert(1)&lt;/script&gt; thanks'];
    const inHtml = escaped.map((b) => mail.html.indexOf(b) ?? -1);
    expect(inHtml.every((at) => at >= 0)).toBe(true);
    expect(inHtml).toEqual([...inHtml].sort((a, b) => a - b));
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('href="https://shop.example/orders/7"');
  });

  it('answers 404 for a wrong token and 422 no_email when the conversation has no email', async () => {
    const withEmail = await start({ email: 'ann@example.test', message: 'Hi' });
    const without = await start({ message: 'Hi' });

    const wrong = await ask(withEmail, { token: without.visitor_token });
    expect(wrong.statusCode).toBe(404);
    expect(wrong.json()).toMatchObject({ error: { code: 'not_found' } });
    const noEmail = await ask(without);
    expect(noEmail.statusCode).toBe(422);
    expect(noEmail.json()).toMatchObject({ error: { code: 'no_email' } });
    expect(await queuedTranscripts()).toEqual([]);
  });

  it('limits requests per conversation from any IP, and per IP across conversations (429)', async () => {
    const first = await start({ email: 'ann@example.test', message: 'Hi' });
    const second = await start({ email: 'bob@example.test', message: 'Hi' });

    expect((await ask(first, { ip: IP_1 })).statusCode).toBe(202);
    expect((await ask(first, { ip: IP_2 })).statusCode).toBe(202);
    const perConversation = await ask(first, { ip: IP_2 });
    expect(perConversation.statusCode).toBe(429);
    expect(perConversation.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect(Number(perConversation.headers['retry-after'])).toBeGreaterThan(0);

    expect((await ask(second, { ip: IP_1 })).statusCode).toBe(202);
    const perIp = await ask(second, { ip: IP_1 });
    expect(perIp.statusCode).toBe(429);
    expect(perIp.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect((await queuedTranscripts()).sort()).toEqual(['ann@example.test', 'ann@example.test', 'bob@example.test']);
  });
});

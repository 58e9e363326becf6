import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentDto } from '../src/chat/dto.js';
import type { Engine } from '../src/storage/engine.js';
import type { StartAnswer } from './support/agent-api.js';
import { ENGINES, skipEngine } from './support/engines.js';
import { ADMIN, startHarness, type Harness } from './support/harness.js';
import type { ReceivedMail } from './support/smtp-message.js';
import { TestSmtpServer } from './support/smtp-server.js';

// Agents are told of a new conversation by email (docs/email.md, "What is sent when"), checked on
// what a real SMTP server receives. BROADCAST_DRIVER=log: an agent seen in the last five minutes
// counts as connected, so logging in is enough to be there.

type Session = Awaited<ReturnType<Harness['loginAs']>>;
const PASSWORD = 'agent password 123';

describe.each(ENGINES)('new-conversation emails to agents on %s', (engine: Engine) => {
  let h: Harness;
  let smtp: TestSmtpServer;
  let admin: Session;

  beforeEach(async (ctx) => {
    if (skipEngine(engine)) return ctx.skip();
    smtp = await TestSmtpServer.start();
    h = await startHarness(engine, {
      BROADCAST_DRIVER: 'log',
      APP_URL: 'https://chat.example',
      MAIL_MAILER: 'smtp',
      MAIL_HOST: '127.0.0.1',
      MAIL_PORT: String(smtp.port),
      MAIL_FROM_ADDRESS: 'chat@shop.example',
      MAIL_FROM_NAME: 'Shop Chat',
    });
    admin = await h.loginAs();
  });
  afterEach(async () => {
    await h?.close();
    await smtp?.close();
  });

  const call = (method: 'POST' | 'PATCH', url: string, json: unknown, session: Session = admin) => h.request({ method, url, json, headers: session.headers });
  /** A new agent; logged in (so connected) unless told otherwise. */
  const agent = async (name: string, opts: { login?: boolean } = {}): Promise<{ id: number; email: string; session: Session | undefined }> => {
    const email = `${name.toLowerCase()}@example.test`;
    const res = await call('POST', '/api/agent/agents', { email, name, password: PASSWORD, role: 'agent' });
    expect(res.statusCode, res.body).toBe(201);
    const { id } = res.json<{ agent: AgentDto }>().agent;
    return { id, email, session: opts.login === false ? undefined : await h.loginAs(email, PASSWORD) };
  };
  const patchMe = async (session: Session, body: Record<string, unknown>): Promise<AgentDto> => {
    const res = await call('PATCH', '/api/agent/me', body, session);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ agent: AgentDto }>().agent;
  };
  const start = async (body: Record<string, unknown> = {}): Promise<StartAnswer> => {
    // The same device (fingerprint, address, browser, origin) starting again resumes its conversation.
    const res = await h.request({ method: 'POST', url: '/api/chat/start', headers: { origin: 'https://shop.example' }, json: { fingerprint: 'fp00000000000001deadbeef', message: 'Where is my order?', client_message_id: 'v-1', ...body } });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json<StartAnswer>();
  };
  /** Every email queued so far, once the SMTP server has received them all (queued during the request that caused them). */
  const delivered = async (): Promise<ReceivedMail[]> => {
    const counts = await h.parley.mail.queue.counts();
    await smtp.waitFor(counts.pending + counts.sent);
    return smtp.received;
  };
  const recipients = async (): Promise<string[]> => (await delivered()).flatMap((m) => m.recipients).sort();

  it('emails the available agents, not those away or not connected', async () => {
    const sam = await agent('Sam');
    await patchMe(sam.session!, { status: 'away' });
    await agent('Kim', { login: false });

    await start();

    expect(await recipients()).toEqual([ADMIN.email]);
  });

  it('emails every active agent when nobody is available, but never a deactivated one', async () => {
    const sam = await agent('Sam');
    await patchMe(sam.session!, { status: 'away' });
    await patchMe(admin, { status: 'away' });
    const kim = await agent('Kim', { login: false });
    const dan = await agent('Dan', { login: false });
    expect((await call('PATCH', `/api/agent/agents/${dan.id}`, { active: false })).statusCode).toBe(200);

    await start();

    expect(await recipients()).toEqual([ADMIN.email, kim.email, sam.email].sort());
  });

  it('never emails an agent who turned notify_email off', async () => {
    const sam = await agent('Sam');
    expect(await patchMe(sam.session!, { notify_email: false })).toMatchObject({ notify_email: false, status: 'online' });
    await patchMe(admin, { status: 'away' });
    await patchMe(sam.session!, { status: 'away' });

    await start();

    expect(await recipients()).toEqual([ADMIN.email]);
  });

  it('sends each agent one email per conversation, even when the start is retried', async () => {
    const first = await start();
    const again = await start();
    expect(again.conversation.id).toBe(first.conversation.id);
    await h.request({ method: 'POST', url: `/api/chat/${first.conversation.id}/messages`, headers: { authorization: `Bearer ${first.visitor_token}` }, json: { body: 'Hello?', client_message_id: 'v-2' } });

    expect(await recipients()).toEqual([ADMIN.email]);
    // Events published again (a retry after a failed broadcast) queue nothing more: the dedupe key holds.
    for (const event of [...h.events.events]) await h.parley.chat.publish(event);
    expect(h.events.events.filter((e) => e.name === 'MessageSent' && e.message.seq === 1).length).toBeGreaterThan(1);
    const { pending, sent } = await h.parley.mail.queue.counts();
    expect(pending + sent).toBe(1);
  });

  it('shows who wrote, the first message and the page, with visitor text escaped, and links to the conversation', async () => {
    const chat = await start({ name: '<b>Ann</b>', email: 'ann@example.test', message: '<script>alert(1)</script> & more', page_url: 'https://shop.example/cart' });

    const [mail] = await delivered();
    const link = `https://chat.example/stratus/conversations/${chat.conversation.id}`;
    expect(mail?.subject).toBe(`New conversation #${chat.conversation.id} from <b>Ann</b> <ann@example.test>`);
    expect(mail?.text).toContain('> <script>alert(1)</script> & more');
    expect(mail?.text).toContain('Page: https://shop.example/cart');
    expect(mail?.text).toContain(`Answer in the dashboard: ${link}`);
    expect(mail?.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
    expect(mail?.html).toContain('&lt;b&gt;Ann&lt;/b&gt; &lt;ann@example.test&gt;');
    expect(mail?.html).not.toContain('<script>');
    expect(mail?.html).not.toContain('<b>Ann');
    expect(mail?.html).toContain(`<a href="${link}"`);
  });

  it('sends nothing for a conversation started without a message, nor for an agent writing first', async () => {
    const chat = await start({ message: undefined, client_message_id: undefined });
    const res = await call('POST', `/api/agent/conversations/${chat.conversation.id}/messages`, { body: 'Hi, can I help?' });
    expect(res.statusCode, res.body).toBeLessThan(300);

    expect(await h.parley.mail.queue.counts()).toMatchObject({ pending: 0, sent: 0 });
  });

  it('keeps notify_email on for new agents and answers it in the agent', async () => {
    const sam = await agent('Sam');
    expect(await patchMe(sam.session!, { status: 'away' })).toMatchObject({ notify_email: true });
    expect(await patchMe(sam.session!, { notify_email: false })).toMatchObject({ notify_email: false, status: 'away' });
    const bad = await call('PATCH', '/api/agent/me', { notify_email: 'no' }, sam.session!);
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ error: { fields: Record<string, string> } }>().error.fields).toEqual({ notify_email: 'must be true or false' });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingBroadcaster } from '../src/broadcasting/null-broadcaster.js';
import type { MessageDto } from '../src/chat/dto.js';
import { createParley, type Parley } from '../src/main.js';
import { migrate, openStorage, type Storage } from '../src/storage/database.js';
import { ManualClock } from '../src/time/clock.js';
import { ManualTimers } from '../src/time/timers.js';
import type { StartAnswer } from './support/agent-api.js';
import { freshStorage, skipEngine, TEST_DATABASE_URL } from './support/engines.js';
import { FOLLOW_UP_DELAY_MS, SHOP, UNANSWERED_DELAY_MS } from './support/follow-up-world.js';
import { ADMIN, testConfig, VISITOR_UA } from './support/harness.js';
import { smtpEnv, TestSmtpServer } from './support/smtp-server.js';

// Follow-ups are queued durably (docs/email.md, "Delivery guarantees"): counted, N replies make
// exactly one email per burst, across a restart mid-queue and with two nodes sweeping at once.

const RETRY_WAIT = 3_600_000;
const REPLIES = 5;

/** The calls a visitor and an agent make, against one node. */
function calls(parley: Parley) {
  const inject = async (method: 'POST', url: string, json: unknown, headers: Record<string, string> = {}) => {
    const res = await parley.app.inject({ method, url, remoteAddress: '203.0.113.10', headers: { 'user-agent': VISITOR_UA, 'content-type': 'application/json', ...headers }, payload: JSON.stringify(json) });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res;
  };
  return {
    start: async (body: Record<string, unknown> = {}) =>
      (
        await inject(
          'POST',
          '/api/chat/start',
          { fingerprint: 'fp00000000000001deadbeef', email: 'ann@example.test', page_url: `${SHOP}/cart`, message: 'Hello?', client_message_id: 'v-1', ...body },
          { origin: SHOP },
        )
      ).json<StartAnswer>(),
    login: async () => {
      const res = await inject('POST', '/api/agent/login', { email: ADMIN.email, password: ADMIN.password });
      const cookie = res.cookies.find((c) => c.name === 'parley_session')?.value ?? '';
      return { cookie: `parley_session=${cookie}`, 'x-csrf-token': res.json<{ csrf_token: string }>().csrf_token };
    },
    reply: async (headers: Record<string, string>, id: number, n: number) =>
      (await inject('POST', `/api/agent/conversations/${id}/messages`, { body: `Reply number ${n}`, client_message_id: `a-${n}` }, headers)).json<{ message: MessageDto }>().message,
  };
}

const followUps = (smtp: TestSmtpServer) => smtp.received.filter((m) => m.recipients.includes('ann@example.test'));

describe('follow-ups across a restart mid-queue (SQLite file)', () => {
  let dir: string;
  let smtp: TestSmtpServer;
  let timers: ManualTimers;
  let parleys: Parley[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-follow-up-'));
    smtp = await TestSmtpServer.start();
    timers = new ManualTimers(new ManualClock(Date.now()));
    parleys = [];
  });
  afterEach(async () => {
    for (const parley of parleys) await parley.close();
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const boot = async (): Promise<Parley> => {
    const storage = openStorage({ kind: 'sqlite', file: join(dir, 'parley.sqlite') });
    await migrate(storage);
    const parley = await createParley(testConfig({ ...smtpEnv(smtp.port), CHAT_ALLOWED_ORIGINS: SHOP, CHAT_UNANSWERED_DELAY_SECONDS: '0' }), pino({ level: 'silent' }), {
      clock: timers.clock,
      timers,
      storage,
      broadcaster: new RecordingBroadcaster(),
    });
    await parley.agents.ensureFirstAdmin(ADMIN.email, ADMIN.password);
    parleys.push(parley);
    return parley;
  };

  it(`delivers ${REPLIES} replies in exactly one email when the server stopped before the SMTP server took it`, async () => {
    const first = await boot();
    const api = calls(first);
    const started = await api.start();
    const agent = await api.login();
    for (let n = 1; n <= REPLIES; n++) await api.reply(agent, started.conversation.id, n);
    await smtp.waitFor(1); // the agents' new-conversation email
    smtp.refuse(451);
    timers.advance(FOLLOW_UP_DELAY_MS);
    await first.reminders.runOnce();
    await first.mail.worker.runOnce();
    await first.close();
    parleys = [];

    smtp.accept();
    timers.advance(RETRY_WAIT);
    const second = await boot();
    await second.reminders.runOnce();
    await second.mail.worker.runOnce();
    await smtp.waitFor(2);

    const mails = followUps(smtp);
    expect(mails).toHaveLength(1);
    for (let n = 1; n <= REPLIES; n++) expect(mails[0]?.text).toContain(`Reply number ${n}`);
    expect(await second.mail.queue.counts()).toEqual({ pending: 0, sent: 2, failed: 0, suppressed: 0 });
  });
});

describe('follow-ups with two nodes on one PostgreSQL database', () => {
  let smtp: TestSmtpServer;
  let storages: Storage[];
  let nodes: Parley[];
  let timers: ManualTimers;

  beforeEach(async (ctx) => {
    if (skipEngine('pgsql')) return ctx.skip();
    smtp = await TestSmtpServer.start();
    const first = await freshStorage('pgsql');
    const schema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(first.db)).rows[0]?.schema ?? '';
    storages = [first, openStorage({ kind: 'pgsql', url: TEST_DATABASE_URL }, { searchPath: schema })];
    timers = new ManualTimers(new ManualClock(Date.now()));
    const config = testConfig({ ...smtpEnv(smtp.port), CHAT_ALLOWED_ORIGINS: SHOP });
    nodes = [];
    for (const storage of storages) {
      nodes.push(await createParley(config, pino({ level: 'silent' }), { clock: timers.clock, timers, storage, broadcaster: new RecordingBroadcaster() }));
    }
    await nodes[0]?.agents.ensureFirstAdmin(ADMIN.email, ADMIN.password);
  });
  afterEach(async () => {
    for (const node of nodes ?? []) await node.close();
    for (const storage of storages ?? []) await storage.close();
    await smtp?.close();
  });

  it('sends each follow-up and each "unanswered" reminder once while both nodes sweep at the same time', async () => {
    const [a, b] = nodes as [Parley, Parley];
    const onA = calls(a);
    const onB = calls(b);
    const answered = await onA.start();
    const waiting = await onB.start({ fingerprint: 'fp00000000000002deadbeef', email: 'bob@example.test' });
    const agent = await onB.login();
    for (let n = 1; n <= REPLIES; n++) await (n % 2 === 0 ? onA : onB).reply(agent, answered.conversation.id, n);

    // The two new-conversation emails are sent and marked before time jumps: a jump past an email's
    // lease while it is being sent lets another node send it again (docs/email.md, "Delivery guarantees").
    await Promise.all([a.mail.worker.runOnce(), b.mail.worker.runOnce()]);
    timers.advance(Math.max(FOLLOW_UP_DELAY_MS, UNANSWERED_DELAY_MS));
    await Promise.all([a.reminders.runOnce(), b.reminders.runOnce(), a.reminders.runOnce(), b.reminders.runOnce()]);
    await Promise.all([a.mail.worker.runOnce(), b.mail.worker.runOnce()]);
    await smtp.waitFor(4); // two new-conversation emails, the follow-up and the reminder; the queue shows nothing more

    const rows = await a.storage.db.selectFrom('email_queue').select(['kind', 'recipient', 'status']).orderBy('kind').execute();
    expect(rows.filter((r) => r.kind !== 'new-conversation')).toEqual([
      { kind: 'follow-up', recipient: 'ann@example.test', status: 'sent' },
      { kind: 'unanswered', recipient: ADMIN.email, status: 'sent' },
    ]);
    expect(followUps(smtp)).toHaveLength(1);
    expect(smtp.received.filter((m) => m.subject.includes(`#${waiting.conversation.id} `)).map((m) => m.subject)).toEqual([`New conversation #${waiting.conversation.id} from bob@example.test`, `Waiting for an answer: conversation #${waiting.conversation.id} from bob@example.test`]);
  });
});

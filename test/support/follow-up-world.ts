import { afterEach, beforeEach, expect } from 'vitest';
import type { AgentDto, MessageDto } from '../../src/chat/dto.js';
import type { Engine } from '../../src/storage/engine.js';
import type { StartAnswer } from './agent-api.js';
import { skipEngine } from './engines.js';
import { startHarness, type Harness } from './harness.js';
import type { ReceivedMail } from './smtp-message.js';
import { TestSmtpServer } from './smtp-server.js';

type Session = Awaited<ReturnType<Harness['loginAs']>>;

export const SHOP = 'https://shop.example';
export const FOLLOW_UP_DELAY_MS = 120_000;
export const UNANSWERED_DELAY_MS = 300_000;

/**
 * A Parley with a real SMTP server behind it, the shop's site allowed, and the calls the
 * follow-up and reminder specs make: a visitor who starts and leaves, agents who reply, time that
 * passes, and the sweep run by hand (docs/email.md, "What is sent when").
 */
export interface FollowUpWorld {
  h: Harness;
  smtp: TestSmtpServer;
  admin: Session;
  /** A visitor starts from the shop's page (`origin` null: a request without `Origin`, as from curl). */
  start(body?: Record<string, unknown>, origin?: string | null): Promise<StartAnswer>;
  reply(conversationId: number, body: string, session?: Session): Promise<MessageDto>;
  visitorSends(started: StartAnswer, body: string): Promise<MessageDto>;
  agent(name: string): Promise<{ id: number; email: string; session: Session }>;
  /** Moves the clock and runs the sweep; resolves once every email it queued has reached the SMTP server. */
  after(ms: number): Promise<ReceivedMail[]>;
  kinds(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export async function followUpWorld(engine: Engine, env: Record<string, string> = {}): Promise<FollowUpWorld> {
  const smtp = await TestSmtpServer.start();
  const h = await startHarness(engine, {
    BROADCAST_DRIVER: 'log',
    APP_URL: 'https://chat.example',
    CHAT_ALLOWED_ORIGINS: SHOP,
    MAIL_MAILER: 'smtp',
    MAIL_HOST: '127.0.0.1',
    MAIL_PORT: String(smtp.port),
    MAIL_FROM_ADDRESS: 'chat@shop.example',
    MAIL_FROM_NAME: 'Shop Chat',
    ...env,
  });
  const admin = await h.loginAs();
  let clientIds = 0;
  const call = async (method: 'POST' | 'PATCH', url: string, json: unknown, headers: Record<string, string>) => {
    const res = await h.request({ method, url, json, headers });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res;
  };
  const world: FollowUpWorld = {
    h,
    smtp,
    admin,
    start: async (body = {}, origin = SHOP) =>
      (
        await call(
          'POST',
          '/api/chat/start',
          { fingerprint: 'fp00000000000001deadbeef', email: 'ann@example.test', name: 'Ann', page_url: `${SHOP}/cart?step=2`, message: 'Where is my order?', client_message_id: 'v-1', ...body },
          origin === null ? {} : { origin },
        )
      ).json<StartAnswer>(),
    reply: async (id, body, session = admin) =>
      (await call('POST', `/api/agent/conversations/${id}/messages`, { body, client_message_id: `a-${++clientIds}` }, session.headers)).json<{ message: MessageDto }>().message,
    visitorSends: async (started, body) =>
      (await call('POST', `/api/chat/${started.conversation.id}/messages`, { body, client_message_id: `visitor-${++clientIds}` }, { authorization: `Bearer ${started.visitor_token}` })).json<{ message: MessageDto }>()
        .message,
    agent: async (name) => {
      const email = `${name.toLowerCase()}@example.test`;
      const res = await call('POST', '/api/agent/agents', { email, name, password: 'agent password 123', role: 'agent' }, admin.headers);
      return { id: res.json<{ agent: AgentDto }>().agent.id, email, session: await h.loginAs(email, 'agent password 123') };
    },
    after: async (ms) => {
      h.clock.advance(ms);
      await h.parley.reminders.runOnce();
      const counts = await h.parley.mail.queue.counts();
      await smtp.waitFor(counts.pending + counts.sent);
      return smtp.received;
    },
    kinds: async () => {
      const rows = await h.parley.storage.db.selectFrom('email_queue').select(['kind']).execute();
      const counts: Record<string, number> = {};
      for (const row of rows) counts[row.kind] = (counts[row.kind] ?? 0) + 1;
      return counts;
    },
    close: async () => {
      await h.close();
      await smtp.close();
    },
  };
  return world;
}

/** The token in a follow-up's link (`#parley-link=…`). */
export function linkToken(mail: ReceivedMail): { url: string; token: string } {
  const match = /(https:\/\/[^\s"<>]+)#parley-link=([A-Za-z0-9_-]+)/.exec(mail.text);
  if (!match?.[1] || !match[2]) throw new Error(`no link in: ${mail.text}`);
  return { url: match[1], token: match[2] };
}

/** Registers a fresh world per test on `engine` (skipped without PostgreSQL), with a visitor who started a conversation (Ann, with an email). */
export function useFollowUpWorld(engine: Engine, env: Record<string, string> = {}): { world(): FollowUpWorld; started(): StartAnswer } {
  let w: FollowUpWorld | undefined;
  let conversation: StartAnswer | undefined;
  beforeEach(async (ctx) => {
    if (skipEngine(engine)) return ctx.skip();
    w = await followUpWorld(engine, env);
    conversation = await w.start();
  });
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });
  return {
    world: () => w as FollowUpWorld,
    started: () => conversation as StartAnswer,
  };
}

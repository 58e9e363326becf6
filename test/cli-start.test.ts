import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINGERPRINT, json, login, type Message, post, printedCredentials, useCliSites } from './support/cli-sites.js';

/** The real CLI, compiled, as child processes on real ports. Every wait is bounded; nothing sleeps. */
const { newSite, start, run } = useCliSites();

describe('parley start', () => {
  it('prints generated admin credentials on the first start only', async () => {
    const site = await newSite();
    const first = await start(site);
    const credentials = printedCredentials(first.stdout);
    expect(credentials?.email).toBe('admin@parley.local');
    expect(credentials?.password.length).toBeGreaterThanOrEqual(12);
    // Printed, never logged.
    expect(first.logs().some((line) => JSON.stringify(line).includes(credentials?.password ?? '?'))).toBe(false);
    expect(await first.stop()).toEqual({ code: 0, signal: null });

    const second = await start(site);
    expect(printedCredentials(second.stdout)).toBeUndefined();
    expect(second.stdout).not.toContain('Created admin agent');
    await login(site, credentials?.email ?? '', credentials?.password ?? '');
  }, 30_000);

  it('answers GET /up with 200 {status: "ok"}', async () => {
    const site = await newSite();
    await start(site);
    const res = await fetch(`${site.url}/up`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('exits with code 0 on SIGTERM', async () => {
    const site = await newSite();
    const parley = await start(site);
    expect(await parley.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(parley.logs().some((line) => line.msg === 'shutting down')).toBe(true);
    await expect(fetch(`${site.url}/up`)).rejects.toThrow();
  });

  it('serves a whole conversation over HTTP and keeps it across a restart', async () => {
    const site = await newSite();
    const parley = await start(site);
    const admin = printedCredentials(parley.stdout);
    expect(admin).toBeDefined();

    // The visitor starts a chat and sends a second message.
    const started = await post(`${site.url}/api/chat/start`, { fingerprint: FINGERPRINT, name: 'Vera', message: 'Hello?', client_message_id: 'v-1' });
    expect(started.status).toBe(201);
    const { conversation, visitor_token: token, resumed } = await json<{ conversation: { id: number; status: string }; visitor_token: string; resumed: boolean }>(started);
    expect(resumed).toBe(false);
    expect(conversation.status).toBe('open');
    const visitor = { authorization: `Bearer ${token}`, 'x-client-fingerprint': FINGERPRINT };
    const chat = `${site.url}/api/chat/${conversation.id}`;

    const sent = await post(`${chat}/messages`, { body: 'Is anyone there?', client_message_id: 'v-2' }, visitor);
    expect(sent.status).toBe(201);
    const { message: second } = await json<{ message: Message }>(sent);
    expect(second).toMatchObject({ sender: 'visitor', body: 'Is anyone there?' });

    // Polling with `after` answers only what came later.
    const polled = await json<{ messages: Message[]; last_seq: number }>(await fetch(`${chat}/messages?after=${second.seq - 1}`, { headers: visitor }));
    expect(polled.messages.map((m) => m.body)).toEqual(['Is anyone there?']);
    expect(polled.last_seq).toBe(second.seq);

    const status = await fetch(`${chat}/status`, { headers: visitor });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ id: conversation.id, status: 'open', resumable: true, last_seq: second.seq });

    // The admin logs in with the printed credentials, replies and closes.
    const agent = await login(site, admin?.email ?? '', admin?.password ?? '');
    const agentChat = `${site.url}/api/agent/conversations/${conversation.id}`;
    const withoutCsrf = await post(`${agentChat}/messages`, { body: 'nope' }, { cookie: agent.cookie as string });
    expect(withoutCsrf.status).toBe(403);
    const reply = await post(`${agentChat}/messages`, { body: 'Hi Vera, how can I help?', client_message_id: 'a-1' }, agent);
    expect(reply.status).toBe(201);
    const { message: agentMessage } = await json<{ message: Message }>(reply);
    expect(agentMessage).toMatchObject({ sender: 'agent', body: 'Hi Vera, how can I help?' });

    const seen = await json<{ messages: Message[] }>(await fetch(`${chat}/messages?after=${second.seq}`, { headers: visitor }));
    expect(seen.messages.map((m) => m.body)).toContain('Hi Vera, how can I help?');

    const closed = await fetch(`${agentChat}/close`, { method: 'POST', headers: agent });
    expect(closed.status).toBe(200);
    expect(await closed.json()).toMatchObject({ conversation: { id: conversation.id, status: 'closed' } });

    const late = await post(`${chat}/messages`, { body: 'One more thing', client_message_id: 'v-3' }, visitor);
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ error: { code: 'conversation_closed' } });

    const before = await json<{ messages: Message[] }>(await fetch(`${chat}/messages`, { headers: visitor }));
    expect(await parley.stop('SIGTERM')).toEqual({ code: 0, signal: null });

    // Same storage, new process: the conversation, its messages and the visitor's token survive.
    await start(site);
    const after = await fetch(`${chat}/messages`, { headers: visitor });
    expect(after.status).toBe(200);
    const kept = await json<{ messages: Message[] }>(after);
    expect(kept.messages).toEqual(before.messages);
    expect(kept.messages.map((m) => m.body)).toEqual(expect.arrayContaining(['Hello?', 'Is anyone there?', 'Hi Vera, how can I help?']));
    expect(await json<{ status: string }>(await fetch(`${chat}/status`, { headers: visitor }))).toMatchObject({ status: 'closed', resumable: false });
  }, 40_000);

  it('creates the admin from ADMIN_EMAIL and ADMIN_PASSWORD instead of generating one', async () => {
    const site = await newSite({ ADMIN_EMAIL: 'boss@shop.test', ADMIN_PASSWORD: 'a-strong-password' });
    const parley = await start(site);
    expect(printedCredentials(parley.stdout)).toBeUndefined();
    expect(parley.stdout).toContain('boss@shop.test');
    expect(parley.stdout).not.toContain('a-strong-password');
    expect(parley.stdout).not.toContain('admin@parley.local');
    await login(site, 'boss@shop.test', 'a-strong-password');
    const wrong = await post(`${site.url}/api/agent/login`, { email: 'admin@parley.local', password: 'a-strong-password' });
    expect(wrong.status).toBe(401);
  });

  it('exits with code 1 and names PORT when PORT=abc', async () => {
    const site = await newSite({ PORT: 'abc' });
    const result = await run(site, 'start');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(site.env.STORAGE_PATH as string)).toBe(false);
  });

  it('names every bad variable at once', async () => {
    const site = await newSite({ PORT: 'abc', TRUST_PROXY: 'bogus!', CHAT_RESUME_BY_NETWORK: 'maybe' });
    const result = await run(site, 'start');
    expect(result.code).toBe(1);
    for (const name of ['PORT', 'TRUST_PROXY', 'CHAT_RESUME_BY_NETWORK']) expect(result.stderr).toContain(name);
  });

  it('reads .env from the working directory, and the environment wins over it', async () => {
    const site = await newSite();
    writeFileSync(join(site.cwd, '.env'), `PORT=1\nCHAT_GREETING="Hello from .env"\n`);
    await start(site);
    const config = await json<{ greeting: string }>(await fetch(`${site.url}/api/chat/config`));
    expect(config.greeting).toBe('Hello from .env');
  });

  it('exits with code 1 and a one-line reason when the port is taken', async () => {
    const site = await newSite();
    await start(site);
    const second = await run({ ...site, env: { ...site.env, STORAGE_PATH: join(site.cwd, 'other-storage') } }, 'start');
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`cannot listen on 127.0.0.1:${site.env.PORT}`);
    expect(second.stderr).toContain('EADDRINUSE');
  });
});

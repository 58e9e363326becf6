import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import Pusher from 'pusher';
import { buildDist, freePort, ParleyProcesses, type ParleyProcess } from './support/process.js';
import { PusherClients } from './support/pusher-clients.js';

/** The real CLI, compiled, as child processes on real ports. Every wait is bounded; nothing sleeps. */

const FINGERPRINT = 'f'.repeat(64);
const processes = new ParleyProcesses();
const dirs: string[] = [];

interface Site {
  cwd: string;
  env: Record<string, string>;
  url: string;
}

/** A fresh working directory with its own storage and a free port. */
async function newSite(extra: Record<string, string> = {}): Promise<Site> {
  const cwd = mkdtempSync(join(tmpdir(), 'parley-cli-'));
  dirs.push(cwd);
  const port = await freePort();
  return {
    cwd,
    env: { STORAGE_PATH: join(cwd, 'storage'), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...extra },
    url: `http://127.0.0.1:${port}`,
  };
}

async function start(site: Site): Promise<ParleyProcess> {
  const parley = processes.spawn(['start'], site);
  await parley.listening();
  return parley;
}

const run = (site: Site, ...args: string[]) => processes.run(args, site);

/** The admin credentials `parley start` prints on its first start. */
function printedCredentials(stdout: string): { email: string; password: string } | undefined {
  const match = /email:\s+(\S+)\s+password:\s+(\S+)/.exec(stdout);
  return match ? { email: match[1] as string, password: match[2] as string } : undefined;
}

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** Logs an agent in over HTTP; answers the headers a state-changing agent request needs. */
async function login(site: Site, email: string, password: string): Promise<Record<string, string>> {
  const res = await post(`${site.url}/api/agent/login`, { email, password });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('parley_session='));
  expect(cookie).toBeDefined();
  const { csrf_token } = await json<{ csrf_token: string }>(res);
  return { cookie: (cookie as string).split(';')[0] as string, 'x-csrf-token': csrf_token };
}

interface Message {
  seq: number;
  sender: string;
  body: string;
}

beforeAll(() => {
  buildDist();
}, 180_000);

beforeEach(() => {
  expect(dirs).toHaveLength(0);
});

afterEach(async () => {
  await processes.killAll();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

afterAll(async () => {
  await processes.killAll();
});

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

describe('parley agent:create', () => {
  it('creates an agent that can log in over HTTP', async () => {
    const site = await newSite();
    const created = await run(site, 'agent:create', '--email', 'a@b.test', '--name', 'Ann', '--password', 'longpassword');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('a@b.test');
    expect(created.stdout).not.toContain('longpassword');
    await start(site);
    const res = await post(`${site.url}/api/agent/login`, { email: 'a@b.test', password: 'longpassword' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ agent: { email: 'a@b.test', name: 'Ann', role: 'agent' } });
  });

  it('prints a generated password when --password is left out', async () => {
    const site = await newSite();
    const created = await run(site, 'agent:create', '--email', 'gen@b.test', '--name', 'Gen');
    expect(created.code).toBe(0);
    const password = /password:\s+(\S+)/.exec(created.stdout)?.[1];
    expect(password?.length).toBeGreaterThanOrEqual(12);
    await start(site);
    await login(site, 'gen@b.test', password ?? '');
  });

  it('refuses a short password, a bad email and a taken email with exit code 1', async () => {
    const site = await newSite();
    const short = await run(site, 'agent:create', '--email', 'a@b.test', '--password', 'short');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('password');
    const badEmail = await run(site, 'agent:create', '--email', 'not-an-email', '--password', 'longpassword');
    expect(badEmail.code).toBe(1);
    expect(badEmail.stderr).toContain('email');
    expect((await run(site, 'agent:create', '--email', 'a@b.test', '--password', 'longpassword')).code).toBe(0);
    const taken = await run(site, 'agent:create', '--email', 'A@B.test', '--password', 'longpassword');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('already exists');
  });
});

describe('parley migrate', () => {
  it('applies the migrations once, then has nothing to migrate', async () => {
    const site = await newSite();
    const first = await run(site, 'migrate');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Applied: 0001-initial');
    const second = await run(site, 'migrate');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Nothing to migrate.');
  });

  it('says nothing to migrate on a database that parley start created', async () => {
    const site = await newSite();
    const parley = await start(site);
    await parley.stop();
    const result = await run(site, 'migrate');
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('Nothing to migrate.');
  });
});

describe('parley purge', () => {
  it('runs the retention policy and reports its counts', async () => {
    const site = await newSite({ CHAT_RETENTION_DAYS: '1' });
    const parley = await start(site);
    const admin = printedCredentials(parley.stdout);
    const started = await post(`${site.url}/api/chat/start`, { fingerprint: FINGERPRINT, message: 'Bye soon' });
    const { conversation } = await json<{ conversation: { id: number } }>(started);
    const agent = await login(site, admin?.email ?? '', admin?.password ?? '');
    expect((await fetch(`${site.url}/api/agent/conversations/${conversation.id}/close`, { method: 'POST', headers: agent })).status).toBe(200);
    expect(await parley.stop()).toMatchObject({ code: 0 });

    const result = await run(site, 'purge');
    expect(result.code).toBe(0);
    // Closed just now: younger than a day, so kept.
    expect(result.stdout).toMatch(/Purged 0 closed conversation\(s\), \d+ expired session\(s\), \d+ used or expired resume ticket\(s\)\./);
  }, 30_000);
});

describe('parley realtime:start', () => {
  const APP = { REVERB_APP_ID: '424242', REVERB_APP_KEY: 'standalone-key', REVERB_APP_SECRET: 'standalone-secret-0123456789abcdef0123456789' };
  const opened: PusherClients[] = [];
  afterEach(() => {
    for (const clients of opened.splice(0)) clients.closeAll();
  });
  /** A pusher-js client of the standalone server, connected. */
  const connect = (port: number) => {
    const clients = new PusherClients({ port, key: APP.REVERB_APP_KEY });
    opened.push(clients);
    return clients.connect();
  };

  /** Starts the standalone server and waits for its "listening" log line. */
  async function startRealtime(site: Site, ...args: string[]): Promise<{ parley: ParleyProcess; port: number }> {
    const parley = processes.spawn(['realtime:start', '--host', '127.0.0.1', ...args], site);
    const line = await parley.waitFor((p) => p.logs().find((l) => l.msg === 'Realtime server is listening'), '"Realtime server is listening"');
    return { parley, port: Number(line.port) };
  }

  it('serves /up, WebSockets and the Pusher HTTP API on --port, and exits 0 on SIGTERM', async () => {
    const site = await newSite(APP);
    const port = await freePort();
    const { parley } = await startRealtime(site, '--port', String(port));

    const up = await fetch(`http://127.0.0.1:${port}/up`);
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ status: 'ok' });
    // Only the realtime server: no chat API here.
    expect((await fetch(`http://127.0.0.1:${port}/api/chat/config`)).status).toBe(404);

    const client = await connect(port);
    await client.subscribe('news');
    const delivered = client.nextEvent<{ text: string }>('news', 'Headline');
    const sdk = new Pusher({ appId: APP.REVERB_APP_ID, key: APP.REVERB_APP_KEY, secret: APP.REVERB_APP_SECRET, host: '127.0.0.1', port: String(port), useTLS: false });
    expect((await sdk.trigger('news', 'Headline', { text: 'hello' })).status).toBe(200);
    expect(await delivered).toEqual({ text: 'hello' });

    expect(await parley.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  }, 30_000);

  it('listens on REVERB_PORT when --port is not given', async () => {
    const port = await freePort();
    const site = await newSite({ ...APP, REVERB_PORT: String(port) });
    const started = await startRealtime(site);
    expect(started.port).toBe(port);
    expect((await fetch(`http://127.0.0.1:${port}/up`)).status).toBe(200);
  });

  it('logs every WebSocket frame at debug level with --debug', async () => {
    const site = await newSite(APP);
    const port = await freePort();
    const { parley } = await startRealtime(site, '--port', String(port), '--debug');
    const client = await connect(port);
    await client.subscribe('news');
    const frames = await parley.waitFor(
      (p) => {
        const logged = p.logs().filter((l) => l.msg === 'frame in' || l.msg === 'frame out');
        return logged.some((l) => String(l.frame).includes('pusher:subscribe')) && logged.some((l) => String(l.frame).includes('subscription_succeeded')) ? logged : undefined;
      },
      'the subscribe frames in the log',
    );
    expect(frames.every((l) => l.level === 20)).toBe(true);
  });

  it('refuses a bad --port with exit code 1', async () => {
    const site = await newSite(APP);
    const result = await run(site, 'realtime:start', '--port', 'eighty');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--port');
  });
});

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LogBroadcaster } from '../src/broadcasting/log-broadcaster.js';
import { ConfigError, loadConfig, type GeneratedSecrets } from '../src/config/config.js';
import { ensureGeneratedSecrets } from '../src/config/secrets.js';
import { opsRoutes } from '../src/ops/ops-routes.js';
import { AgentStore } from '../src/storage/agent-store.js';
import { ConversationStore } from '../src/storage/conversation-store.js';
import { openStorage, type Storage } from '../src/storage/database.js';
import type { NewConversation } from '../src/storage/schema.js';
import { ENGINES, freshStorage, skipEngine, TEST_DATABASE_URL } from './support/engines.js';

const LONG = 's'.repeat(32);
const SECRETS: GeneratedSecrets = {
  APP_KEY: `base64:${Buffer.alloc(32, 3).toString('base64')}`,
  REVERB_APP_ID: '123456',
  REVERB_APP_KEY: 'reverb-key',
  REVERB_APP_SECRET: LONG,
};

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-files-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const mode = (path: string): number => statSync(path).mode & 0o777;

function configProblem(env: Record<string, string>, secrets: Partial<GeneratedSecrets> = SECRETS): string {
  try {
    loadConfig({ STORAGE_PATH: '/srv/parley', ...env }, secrets);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('secret lengths', () => {
  it.each(['production', 'test'])('refuses a REVERB_APP_SECRET under 32 characters with NODE_ENV=%s, naming it without echoing it', (env) => {
    const message = configProblem({ NODE_ENV: env, REVERB_APP_SECRET: 'short-secret-31-characters-long' });
    expect(message).toMatch(/REVERB_APP_SECRET: must be at least 32 characters/);
    expect(message).not.toContain('short-secret-31');
  });

  it('refuses a short REVERB_APP_SECRET by default, since NODE_ENV defaults to production', () => {
    expect(configProblem({ REVERB_APP_SECRET: 'x'.repeat(31) })).toContain('REVERB_APP_SECRET');
  });

  it('refuses a short REVERB_APP_SECRET kept in storage/secrets.json and says where it came from', () => {
    expect(configProblem({}, { ...SECRETS, REVERB_APP_SECRET: 'hand-edited' })).toMatch(/REVERB_APP_SECRET: .*storage\/secrets\.json/);
  });

  it('accepts a short REVERB_APP_SECRET with NODE_ENV=development', () => {
    expect(loadConfig({ NODE_ENV: 'development', REVERB_APP_SECRET: 'dev' }, SECRETS).broadcast.reverb.secret).toBe('dev');
  });

  it('refuses an APP_KEY under 32 characters', () => {
    expect(configProblem({ APP_KEY: 'k'.repeat(31) })).toContain('APP_KEY');
  });

  it('generates secrets that already pass the production checks', () => {
    const generated = ensureGeneratedSecrets(join(tempDir(), 'storage'), {});
    expect(generated.REVERB_APP_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(() => loadConfig({ NODE_ENV: 'production' }, generated)).not.toThrow();
  });
});

describe('file permissions', () => {
  it('creates storage/ owner-only (0700) when it writes secrets.json', () => {
    const storage = join(tempDir(), 'storage');
    ensureGeneratedSecrets(storage, {});
    expect(mode(storage)).toBe(0o700);
    expect(mode(join(storage, 'secrets.json'))).toBe(0o600);
  });

  it('creates the SQLite directory 0700 and the database, -wal and -shm files 0600', async () => {
    const dir = join(tempDir(), 'storage');
    const file = join(dir, 'parley.sqlite');
    const storage = openStorage({ kind: 'sqlite', file });
    try {
      await sql`create table t (x integer)`.execute(storage.db);
      await sql`insert into t values (1)`.execute(storage.db);
      expect(mode(dir)).toBe(0o700);
      for (const path of [file, `${file}-wal`, `${file}-shm`]) expect({ path, mode: mode(path) }).toEqual({ path, mode: 0o600 });
    } finally {
      await storage.close();
    }
  });
});

describe('log broadcaster', () => {
  function capture(level: 'info' | 'debug') {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    return { lines, broadcaster: new LogBroadcaster(pino({ level }, stream)) };
  }
  const message = { name: 'MessageSent', conversationId: 7, message: { id: 1, conversation_id: 7, seq: 1, sender: 'visitor', body: 'my card is 4111 1111', created_at: '2026-01-01T00:00:00Z' } } as const;

  it('logs channels and event name at info, never the message body', async () => {
    const { lines, broadcaster } = capture('info');
    await broadcaster.publish(message);
    expect(lines.join('')).toContain('MessageSent');
    expect(lines.join('')).not.toContain('4111');
  });

  it('logs the payload only at debug', async () => {
    const { lines, broadcaster } = capture('debug');
    await broadcaster.publish(message);
    expect(lines.join('')).toContain('4111');
  });
});

describe('/up check timeouts', () => {
  it('answers 503 with the hung check marked failing instead of waiting for it', async () => {
    const app = Fastify();
    await app.register(opsRoutes, { checks: { database: () => new Promise<void>(() => undefined), redis: async () => undefined }, checkTimeoutMs: 50 });
    try {
      const response = await app.inject({ method: 'GET', url: '/up' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ error: { code: 'service_unavailable', fields: { database: 'failing', redis: 'ok' } } });
    } finally {
      await app.close();
    }
  });
});

describe('PostgreSQL timeouts', () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it('gives up connecting to a server that accepts but never answers', async () => {
    server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const storage = openStorage({ kind: 'pgsql', url: `postgres://parley@127.0.0.1:${port}/parley`, timeouts: { connectMs: 200, statementMs: 1000, idleInTransactionMs: 1000 } });
    try {
      await expect(storage.ping()).rejects.toThrow(/timeout/i);
    } finally {
      await storage.close();
    }
  });

  it.skipIf(skipEngine('pgsql'))('sets statement and idle-in-transaction timeouts on every connection (30 s and 60 s by default)', async () => {
    const storage = openStorage({ kind: 'pgsql', url: TEST_DATABASE_URL });
    try {
      const show = async (name: string) => (await sql<Record<string, string>>`select current_setting(${name}) as v`.execute(storage.db)).rows[0]?.v;
      expect(await show('statement_timeout')).toBe('30s');
      expect(await show('idle_in_transaction_session_timeout')).toBe('1min');
    } finally {
      await storage.close();
    }
  });

  it.skipIf(skipEngine('pgsql'))('cancels a statement that runs past DB_STATEMENT_TIMEOUT', async () => {
    const storage = openStorage({ kind: 'pgsql', url: TEST_DATABASE_URL, timeouts: { connectMs: 5000, statementMs: 100, idleInTransactionMs: 1000 } });
    try {
      await expect(sql`select pg_sleep(5)`.execute(storage.db)).rejects.toMatchObject({ code: '57014' });
    } finally {
      await storage.close();
    }
  });
});

describe.each(ENGINES)('purge in batches on %s', (engine) => {
  let storage: Storage;
  afterEach(async () => {
    await storage?.close();
  });

  const closed = (i: number, closedAt: number): NewConversation => ({
    status: 'closed',
    client_fingerprint: null,
    client_ip: '203.0.113.5',
    user_agent: 'UA',
    visitor_token_hash: `purge-${i}`,
    visitor_name: null,
    visitor_email: null,
    page_url: null,
    referrer: null,
    assigned_agent_id: null,
    last_seq: 0,
    visitor_read_seq: 0,
    agent_read_seq: 0,
    created_at: 1,
    last_activity_at: 1,
    closed_at: closedAt,
  });

  it('deletes more rows than one batch, a batch at a time, letting the event loop run between batches', async (ctx) => {
    if (skipEngine(engine)) return ctx.skip();
    storage = await freshStorage(engine);
    const store = new ConversationStore(storage.db);
    const rows = Array.from({ length: 1_100 }, (_, i) => closed(i, i < 1_050 ? 10 : 1_000));
    for (let i = 0; i < rows.length; i += 500) await storage.db.insertInto('conversations').values(rows.slice(i, i + 500)).execute();
    let turns = 0;
    let purging = true;
    const ticking = (async () => {
      while (purging) {
        await nextTurn();
        turns += 1;
      }
    })();
    const removed = await store.purgeClosed(100);
    purging = false;
    await ticking;
    expect(removed).toBe(1_050);
    // 500 + 500 + 50: the loop got a turn between the statements.
    expect(turns).toBeGreaterThanOrEqual(2);
    const left = await storage.db.selectFrom('conversations').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(50);
  });

  it('purges used and expired resume tickets in batches too', async (ctx) => {
    if (skipEngine(engine)) return ctx.skip();
    storage = await freshStorage(engine);
    const store = new ConversationStore(storage.db);
    const [c] = await storage.db.insertInto('conversations').values(closed(0, 10)).returning('id').execute();
    const tickets = Array.from({ length: 23 }, (_, i) => ({ ticket_hash: `t-${i}`, conversation_id: c!.id, fingerprint_hash: 'f', client_ip: '203.0.113.5', expires_at: i < 20 ? 5 : 1_000, used_at: null, seed: null }));
    await storage.db.insertInto('resume_tickets').values(tickets).execute();
    expect(await store.purgeTickets(100, 7)).toBe(20);
  });

  it('purges expired agent sessions in batches too', async (ctx) => {
    if (skipEngine(engine)) return ctx.skip();
    storage = await freshStorage(engine);
    const [agent] = await storage.db
      .insertInto('agents')
      .values({ email: 'a@example.test', name: 'A', password_hash: 'x', role: 'agent', created_at: 1, last_seen_at: null, deactivated_at: null })
      .returning('id')
      .execute();
    const sessions = Array.from({ length: 12 }, (_, i) => ({ token_hash: `s-${i}`, agent_id: agent!.id, created_at: 1, expires_at: i < 10 ? 5 : 1_000, ip: '203.0.113.5', user_agent: 'UA' }));
    await storage.db.insertInto('agent_sessions').values(sessions).execute();
    expect(await new AgentStore(storage.db).purgeSessions(100, 4)).toBe(10);
  });
});

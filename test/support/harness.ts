import { afterEach, beforeEach } from 'vitest';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { RecordingBroadcaster } from '../../src/broadcasting/null-broadcaster.js';
import { ManualClock } from '../../src/time/clock.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createParley, type Parley } from '../../src/main.js';
import type { Engine } from '../../src/storage/engine.js';
import { freshStorage, skipEngine } from './engines.js';

export const TEST_SECRETS = {
  APP_KEY: 'base64:' + Buffer.alloc(32, 7).toString('base64'),
  REVERB_APP_ID: '100001',
  REVERB_APP_KEY: 'test-key',
  REVERB_APP_SECRET: 'test-secret-0123456789abcdef0123456789',
};

export const ADMIN = { email: 'admin@example.test', password: 'correct horse battery' };

/** A configuration for tests: generous rate limits unless a test sets them. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      STORAGE_PATH: '/tmp/parley-test-storage',
      CHAT_RATE_LIMIT_START: '10000/1m',
      CHAT_RATE_LIMIT_SEND: '10000/1m',
      AGENT_RATE_LIMIT_LOGIN: '10000/1m',
      AGENT_RATE_LIMIT_LOGIN_ACCOUNT: '10000/1m',
      CHAT_RATE_LIMIT_LOOKUP: '10000/1m',
      CHAT_RATE_LIMIT_RESUME: '10000/1m',
      CHAT_RATE_LIMIT_READ: '10000/1m',
      BROADCAST_RATE_LIMIT_AUTH: '10000/1m',
      ...env,
    },
    TEST_SECRETS,
  );
}

export interface Harness {
  app: FastifyInstance;
  parley: Parley;
  clock: ManualClock;
  events: RecordingBroadcaster;
  config: Config;
  /** `app.inject` with JSON bodies and a default client IP/user agent. */
  request(options: InjectOptions & { ip?: string; json?: unknown }): Promise<LightMyRequestResponse>;
  /** Logs an agent in; answers headers that carry its cookie and CSRF token. */
  loginAs(email?: string, password?: string): Promise<{ cookie: string; csrf: string; headers: Record<string, string> }>;
  close(): Promise<void>;
}

export const VISITOR_UA = 'Mozilla/5.0 (X11; Linux x86_64) ParleyTest/1.0';

export interface HarnessOptions {
  /** `record` (default): events go to `events` only; `configured`: to the driver the config names (embedded server, Pusher HTTP…). */
  broadcast?: 'record' | 'configured';
}

/** A running Parley (not listening) on a fresh database, with a manual clock and recorded broadcasts. */
export async function startHarness(engine: Engine, env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const config = testConfig(env);
  const clock = new ManualClock(Date.now());
  const events = new RecordingBroadcaster();
  const storage = await freshStorage(engine);
  const broadcaster = options.broadcast === 'configured' ? {} : { broadcaster: events };
  const parley = await createParley(config, pino({ level: 'silent' }), { clock, storage, ...broadcaster });
  await parley.agents.ensureFirstAdmin(ADMIN.email, ADMIN.password);
  await parley.app.ready();
  const app = parley.app;

  const request: Harness['request'] = (options) => {
    const { ip, json, headers, ...rest } = options;
    return app.inject({
      ...rest,
      remoteAddress: ip ?? '203.0.113.10',
      headers: { 'user-agent': VISITOR_UA, ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(json !== undefined ? { payload: JSON.stringify(json) } : {}),
    });
  };

  const loginAs: Harness['loginAs'] = async (email = ADMIN.email, password = ADMIN.password) => {
    const res = await request({ method: 'POST', url: '/api/agent/login', json: { email, password } });
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
    const cookie = res.cookies.find((c) => c.name === 'parley_session');
    if (!cookie) throw new Error('no session cookie');
    const csrf = (res.json() as { csrf_token: string }).csrf_token;
    return { cookie: `parley_session=${cookie.value}`, csrf, headers: { cookie: `parley_session=${cookie.value}`, 'x-csrf-token': csrf } };
  };

  return { app, parley, clock, events, config, request, loginAs, close: () => parley.close() };
}

/** A fresh harness per test on `engine` (skipped where the engine is not up), closed after it; `restart` swaps in one started with other settings. */
export function useHarness(engine: Engine, env: Record<string, string> = {}): { readonly h: Harness; restart(env: Record<string, string>): Promise<void> } {
  let h: Harness | undefined;
  beforeEach(async (ctx) => {
    if (skipEngine(engine)) return ctx.skip();
    h = await startHarness(engine, env);
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  return {
    get h(): Harness {
      return h as Harness;
    },
    restart: async (next) => {
      await h?.close();
      h = await startHarness(engine, next);
    },
  };
}

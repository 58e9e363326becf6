import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Config } from '../src/config/config.js';
import { loadConfigFromEnvironment, readEnvironment } from '../src/config/load.js';
import { parseRate } from '../src/config/rate.js';
import { ensureGeneratedSecrets } from '../src/config/secrets.js';

const SECRETS = {
  APP_KEY: `base64:${Buffer.alloc(32, 1).toString('base64')}`,
  REVERB_APP_ID: '123456',
  REVERB_APP_KEY: 'reverb-key',
  REVERB_APP_SECRET: 'reverb-secret-0123456789abcdef0123456789',
};
const STORAGE = '/srv/parley-storage';

const load = (env: Record<string, string | undefined> = {}): Config => loadConfig({ STORAGE_PATH: STORAGE, ...env }, SECRETS);

/** The ConfigError `load(env)` throws (fails the test if it does not throw one). */
function configError(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('listens on 0.0.0.0:8080 with SQLite under the storage path and the reverb driver', () => {
    const config = load();
    expect(config.http.port).toBe(8080);
    expect(config.http.host).toBe('0.0.0.0');
    expect(config.http.appUrl).toBe('http://localhost:8080');
    expect(config.http.trustProxy).toBe(false);
    expect(config.storagePath).toBe(STORAGE);
    expect(config.database).toEqual({ kind: 'sqlite', file: join(STORAGE, 'parley.sqlite') });
    expect(config.broadcast.driver).toBe('reverb');
  });

  it('resumes within 24 hours, asks on the same network and allows every origin', () => {
    const config = load();
    expect(config.chat.resumeWindowMs).toBe(24 * 3_600_000);
    expect(config.chat.resumeByNetwork).toBe('ask');
    expect(config.chat.allowedOrigins).toBe('*');
  });

  it('treats empty variables as unset', () => {
    expect(load({ PORT: '', HOST: '' }).http).toMatchObject({ port: 8080, host: '0.0.0.0' });
  });

  it('derives APP_URL from PORT and strips its trailing slash when given', () => {
    expect(load({ PORT: '9000' }).http.appUrl).toBe('http://localhost:9000');
    expect(load({ APP_URL: 'https://chat.example/' }).http).toMatchObject({ appUrl: 'https://chat.example', secureCookies: true });
  });

  it('takes the secrets from the environment before the generated ones', () => {
    const appKey = 'k'.repeat(40);
    const config = load({ APP_KEY: appKey, REVERB_APP_SECRET: 'from-env-0123456789abcdef0123456789' });
    expect(config.appKey.toString('utf8')).toBe(appKey);
    expect(config.broadcast.reverb).toMatchObject({ appId: '123456', key: 'reverb-key', secret: 'from-env-0123456789abcdef0123456789' });
  });

  it('fails naming each secret that is neither set nor generated', () => {
    const error = (() => {
      try {
        loadConfig({ STORAGE_PATH: STORAGE });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.split(':')[0])).toEqual(['APP_KEY', 'REVERB_APP_ID', 'REVERB_APP_KEY', 'REVERB_APP_SECRET']);
  });
});

describe('loadConfig database', () => {
  it('uses PostgreSQL when DATABASE_URL is set', () => {
    expect(load({ DATABASE_URL: 'postgres://u:p@db:5432/parley' }).database).toMatchObject({ kind: 'pgsql', url: 'postgres://u:p@db:5432/parley' });
  });

  it('fails naming DATABASE_URL when DB_CONNECTION=pgsql has no URL', () => {
    const error = configError({ DB_CONNECTION: 'pgsql' });
    expect(error.message).toContain('DATABASE_URL');
  });

  it('resolves DB_DATABASE and keeps :memory:', () => {
    expect(load({ DB_DATABASE: '/data/chat.sqlite' }).database).toEqual({ kind: 'sqlite', file: '/data/chat.sqlite' });
    expect(load({ DB_DATABASE: ':memory:' }).database).toEqual({ kind: 'sqlite', file: ':memory:' });
  });
});

describe('loadConfig broadcasting', () => {
  it('accepts BROADCAST_CONNECTION as an alias of BROADCAST_DRIVER', () => {
    expect(load({ BROADCAST_CONNECTION: 'log' }).broadcast.driver).toBe('log');
    expect(load({ BROADCAST_CONNECTION: 'null' }).broadcast.driver).toBe('null');
  });

  it('prefers BROADCAST_DRIVER when both are set', () => {
    expect(load({ BROADCAST_DRIVER: 'null', BROADCAST_CONNECTION: 'log' }).broadcast.driver).toBe('null');
  });

  it('accepts the pusher driver with its credentials', () => {
    const config = load({ BROADCAST_DRIVER: 'pusher', PUSHER_APP_ID: '1', PUSHER_APP_KEY: 'k', PUSHER_APP_SECRET: 's', PUSHER_APP_CLUSTER: 'eu' });
    expect(config.broadcast.pusher).toMatchObject({ appId: '1', key: 'k', secret: 's', cluster: 'eu' });
  });
});

describe('loadConfig rejects bad values, naming the variable', () => {
  const pusherWithoutKey = { BROADCAST_DRIVER: 'pusher', PUSHER_APP_ID: '1', PUSHER_APP_SECRET: 's' };
  const cases: { env: Record<string, string>; names: string }[] = [
    { env: { PORT: 'abc' }, names: 'PORT' },
    { env: { PORT: '70000' }, names: 'PORT' },
    { env: { PORT: '0' }, names: 'PORT' },
    { env: { APP_KEY: 'too-short' }, names: 'APP_KEY' },
    { env: { APP_KEY: `base64:${Buffer.alloc(16).toString('base64')}` }, names: 'APP_KEY' },
    { env: { APP_KEY: `base64:${'!'.repeat(44)}` }, names: 'APP_KEY' },
    { env: { CHAT_RESUME_WINDOW_HOURS: '-1' }, names: 'CHAT_RESUME_WINDOW_HOURS' },
    { env: { CHAT_RESUME_WINDOW_HOURS: '0' }, names: 'CHAT_RESUME_WINDOW_HOURS' },
    { env: { CHAT_RESUME_BY_NETWORK: 'maybe' }, names: 'CHAT_RESUME_BY_NETWORK' },
    { env: { CHAT_ALLOWED_ORIGINS: 'not-a-url' }, names: 'CHAT_ALLOWED_ORIGINS' },
    { env: { CHAT_ALLOWED_ORIGINS: 'https://shop.example/path' }, names: 'CHAT_ALLOWED_ORIGINS' },
    { env: { TRUST_PROXY: 'bogus!' }, names: 'TRUST_PROXY' },
    { env: { TRUST_PROXY: 'abc' }, names: 'TRUST_PROXY' },
    { env: { TRUST_PROXY: '10.0.0.0/33' }, names: 'TRUST_PROXY' },
    { env: { REDIS_URL: 'http://x' }, names: 'REDIS_URL' },
    { env: { BROADCAST_DRIVER: 'kafka' }, names: 'BROADCAST_DRIVER' },
    { env: { BROADCAST_CONNECTION: 'kafka' }, names: 'BROADCAST_CONNECTION' },
    { env: { CHAT_RATE_LIMIT_SEND: 'lots' }, names: 'CHAT_RATE_LIMIT_SEND' },
    { env: { CHAT_RATE_LIMIT_START: '0/1m' }, names: 'CHAT_RATE_LIMIT_START' },
    { env: pusherWithoutKey, names: 'PUSHER_APP_KEY' },
    { env: { DB_CONNECTION: 'mysql' }, names: 'DB_CONNECTION' },
    { env: { DATABASE_URL: 'mysql://db/parley' }, names: 'DATABASE_URL' },
    { env: { ADMIN_EMAIL: 'not-an-email' }, names: 'ADMIN_EMAIL' },
    { env: { APP_URL: 'localhost:8080' }, names: 'APP_URL' },
    { env: { REVERB_WEBHOOK_URL: 'ftp://hooks.example' }, names: 'REVERB_WEBHOOK_URL' },
    { env: { ADMIN_PASSWORD: 'short' }, names: 'ADMIN_PASSWORD' },
  ];

  it.each(cases)('$env fails naming $names', ({ env, names }) => {
    const error = configError(env);
    expect(error.name).toBe('ConfigError');
    expect(error.problems.some((p) => p.startsWith(`${names}:`))).toBe(true);
    expect(error.message).toContain(names);
  });

  it('names every bad variable in one error', () => {
    const error = configError({ PORT: 'abc', CHAT_RESUME_BY_NETWORK: 'maybe', TRUST_PROXY: 'bogus!', CHAT_RATE_LIMIT_SEND: '0/1m', REDIS_URL: 'http://x' });
    for (const name of ['PORT', 'CHAT_RESUME_BY_NETWORK', 'TRUST_PROXY', 'CHAT_RATE_LIMIT_SEND', 'REDIS_URL']) {
      expect(error.message).toContain(`${name}:`);
    }
    expect(error.problems).toHaveLength(5);
  });

  it('names a variable once even when later checks trip over its bad value', () => {
    const error = configError({ DB_CONNECTION: 'pgsql', DATABASE_URL: 'mysql://db/parley' });
    expect(error.problems.filter((p) => p.startsWith('DATABASE_URL:'))).toHaveLength(1);
  });

  it('never echoes a secret value back', () => {
    const error = configError({ APP_KEY: 'hunter2-not-long-enough', ADMIN_PASSWORD: 'hunter3' });
    expect(error.message).toContain('APP_KEY');
    expect(error.message).toContain('ADMIN_PASSWORD');
    expect(error.message).not.toContain('hunter');
  });

  it('shows the bad value of an ordinary variable', () => {
    expect(configError({ PORT: 'abc' }).message).toContain('"abc"');
  });
});

describe('loadConfig values', () => {
  it('accepts decimal resume windows: 0.5 hours is 30 minutes', () => {
    expect(load({ CHAT_RESUME_WINDOW_HOURS: '0.5' }).chat.resumeWindowMs).toBe(30 * 60_000);
  });

  it('decodes a base64: APP_KEY to its 32 bytes', () => {
    const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    const config = load({ APP_KEY: `base64:${bytes.toString('base64')}` });
    expect(config.appKey).toHaveLength(32);
    expect(config.appKey.equals(bytes)).toBe(true);
  });

  it.each([
    ['true', ['loopback']],
    ['false', false],
    ['1', ['loopback']],
    ['0', false],
    ['10.0.0.0/8, 192.168.1.1', ['10.0.0.0/8', '192.168.1.1']],
    ['::1,fd00::/8', ['::1', 'fd00::/8']],
    ['loopback', ['loopback']],
  ] as const)('TRUST_PROXY=%s', (value, expected) => {
    expect(load({ TRUST_PROXY: value }).http.trustProxy).toEqual(expected);
  });

  it('normalises allowed origins', () => {
    expect(load({ CHAT_ALLOWED_ORIGINS: 'https://shop.example/, https://www.shop.example:8443' }).chat.allowedOrigins).toEqual([
      'https://shop.example',
      'https://www.shop.example:8443',
    ]);
  });

  it('reads the rate limits', () => {
    expect(load({ CHAT_RATE_LIMIT_SEND: '5/30s' }).rateLimits.send).toEqual({ max: 5, windowMs: 30_000 });
    expect(load().rateLimits).toEqual({
      start: { max: 10, windowMs: 60_000 },
      send: { max: 60, windowMs: 60_000 },
      lookup: { max: 20, windowMs: 60_000 },
      resume: { max: 10, windowMs: 60_000 },
      read: { max: 120, windowMs: 60_000 },
      transcript: { max: 3, windowMs: 3_600_000 },
      broadcastAuth: { max: 120, windowMs: 60_000 },
      login: { max: 10, windowMs: 300_000 },
      loginAccount: { max: 5, windowMs: 300_000 },
    });
  });
});

describe('parseRate', () => {
  it.each([
    ['10/1m', { max: 10, windowMs: 60_000 }],
    ['5/30s', { max: 5, windowMs: 30_000 }],
    ['100/1h', { max: 100, windowMs: 3_600_000 }],
    ['3/500ms', { max: 3, windowMs: 500 }],
    ['7/10', { max: 7, windowMs: 10_000 }],
    [' 2/1s ', { max: 2, windowMs: 1000 }],
  ])('%s', (text, expected) => {
    expect(parseRate(text)).toEqual(expected);
  });

  it.each(['0/1m', 'x', '10/0s', '10', '10/1d', '-1/1m', '1.5/1m', ''])('rejects %j', (text) => {
    expect(parseRate(text)).toBeUndefined();
  });
});

describe('generated secrets and .env', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-config-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('writes storage/secrets.json once, mode 0600, and answers the same values afterwards', () => {
    const storage = join(tempDir(), 'storage');
    const first = ensureGeneratedSecrets(storage, {});
    const file = join(storage, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.APP_KEY).toMatch(/^base64:/);
    expect(Buffer.from(first.APP_KEY.slice(7), 'base64')).toHaveLength(32);
    const written = readFileSync(file, 'utf8');
    const second = ensureGeneratedSecrets(storage, {});
    expect(second).toEqual(first);
    expect(readFileSync(file, 'utf8')).toBe(written);
    expect(JSON.parse(written)).toEqual(first);
  });

  it('never writes values given in the environment', () => {
    const storage = join(tempDir(), 'storage');
    const env = { APP_KEY: 'e'.repeat(40), REVERB_APP_SECRET: 'env-secret' };
    const secrets = ensureGeneratedSecrets(storage, env);
    expect(secrets.APP_KEY).toBe(env.APP_KEY);
    expect(secrets.REVERB_APP_SECRET).toBe('env-secret');
    const stored = JSON.parse(readFileSync(join(storage, 'secrets.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(stored).sort()).toEqual(['REVERB_APP_ID', 'REVERB_APP_KEY']);
    expect(JSON.stringify(stored)).not.toContain('env-secret');
    expect(ensureGeneratedSecrets(storage, env)).toEqual(secrets);
  });

  it('writes nothing when the environment gives every secret', () => {
    const storage = join(tempDir(), 'storage');
    expect(ensureGeneratedSecrets(storage, SECRETS)).toEqual(SECRETS);
    expect(() => statSync(join(storage, 'secrets.json'))).toThrow();
  });

  it('fails with a ConfigError naming the file when secrets.json is corrupt', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'secrets.json'), '{not json');
    expect(() => ensureGeneratedSecrets(dir, {})).toThrow(ConfigError);
    expect(() => ensureGeneratedSecrets(dir, {})).toThrow(/secrets\.json/);
  });

  it('rejects an invalid APP_KEY kept in secrets.json', () => {
    expect(() => loadConfig({ STORAGE_PATH: STORAGE }, { ...SECRETS, APP_KEY: 'short' })).toThrow(/APP_KEY/);
  });

  it('readEnvironment uses .env values, and real environment variables win', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'PORT=9001\nHOST=127.0.0.1\nCHAT_GREETING="Hello from .env"\n');
    const env = readEnvironment(dir, { PORT: '9002' });
    expect(env).toMatchObject({ PORT: '9002', HOST: '127.0.0.1', CHAT_GREETING: 'Hello from .env' });
  });

  it('readEnvironment without a .env is the environment alone', () => {
    expect(readEnvironment(tempDir(), { PORT: '1234' })).toEqual({ PORT: '1234' });
  });

  it('loadConfigFromEnvironment generates secrets under STORAGE_PATH and keeps them', () => {
    const storage = join(tempDir(), 'storage');
    const first = loadConfigFromEnvironment({ STORAGE_PATH: storage });
    const second = loadConfigFromEnvironment({ STORAGE_PATH: storage });
    expect(first.appKey).toHaveLength(32);
    expect(second.appKey.equals(first.appKey)).toBe(true);
    expect(second.broadcast.reverb.secret).toBe(first.broadcast.reverb.secret);
  });

  it('loadConfigFromEnvironment writes nothing when the configuration is bad', () => {
    const storage = join(tempDir(), 'storage');
    expect(() => loadConfigFromEnvironment({ STORAGE_PATH: storage, PORT: 'abc' })).toThrow(/PORT/);
    expect(() => statSync(storage)).toThrow();
  });
});

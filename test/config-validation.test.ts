import { describe, expect, it } from 'vitest';
import { parseRate } from '../src/config/rate.js';
import { configError, load } from './support/config-loading.js';

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
      upload: { max: 20, windowMs: 60_000 },
      broadcastAuth: { max: 120, windowMs: 60_000 },
      login: { max: 10, windowMs: 300_000 },
      loginAccount: { max: 5, windowMs: 300_000 },
      apiToken: { max: 600, windowMs: 60_000 },
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

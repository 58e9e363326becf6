import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { configError, load, STORAGE } from './support/config-loading.js';

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

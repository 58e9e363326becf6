import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { loadConfigFromEnvironment, readEnvironment } from '../src/config/load.js';
import { ensureGeneratedSecrets } from '../src/config/secrets.js';
import { SECRETS, STORAGE } from './support/config-loading.js';

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

import { ConfigError, loadConfig, type Config } from '../../src/config/config.js';

/** Secrets as storage/secrets.json would give them, so that loading needs no files. */
export const SECRETS = {
  APP_KEY: `base64:${Buffer.alloc(32, 1).toString('base64')}`,
  REVERB_APP_ID: '123456',
  REVERB_APP_KEY: 'reverb-key',
  REVERB_APP_SECRET: 'reverb-secret-0123456789abcdef0123456789',
};
export const STORAGE = '/srv/parley-storage';

/** `loadConfig` with `env` over a storage path and the test secrets. */
export const load = (env: Record<string, string | undefined> = {}): Config => loadConfig({ STORAGE_PATH: STORAGE, ...env }, SECRETS);

/** The ConfigError `load(env)` throws (fails the test if it does not throw one). */
export function configError(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

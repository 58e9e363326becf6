import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratedSecrets } from './config.js';

const FILE = 'secrets.json';

/**
 * Reads the secrets generated on an earlier start from `storage/secrets.json`, generating (and
 * keeping) any that are missing, so a dev install keeps its tokens and sessions across restarts.
 * Values given in the environment always win and are never written here.
 */
export function ensureGeneratedSecrets(storagePath: string, env: Record<string, string | undefined>): GeneratedSecrets {
  const path = join(storagePath, FILE);
  let stored: Partial<GeneratedSecrets> = {};
  try {
    stored = JSON.parse(readFileSync(path, 'utf8')) as Partial<GeneratedSecrets>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const generated: GeneratedSecrets = {
    APP_KEY: stored.APP_KEY ?? `base64:${randomBytes(32).toString('base64')}`,
    REVERB_APP_ID: stored.REVERB_APP_ID ?? String(100000 + (randomBytes(4).readUInt32BE() % 900000)),
    REVERB_APP_KEY: stored.REVERB_APP_KEY ?? randomBytes(10).toString('hex'),
    REVERB_APP_SECRET: stored.REVERB_APP_SECRET ?? randomBytes(20).toString('hex'),
  };
  const missing = (Object.keys(generated) as (keyof GeneratedSecrets)[]).some(
    (name) => stored[name] === undefined && !env[name],
  );
  if (missing) {
    mkdirSync(storagePath, { recursive: true });
    writeFileSync(path, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600 });
  }
  return generated;
}

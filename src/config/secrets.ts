import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../security/private-files.js';
import { ConfigError } from './config-error.js';
import type { GeneratedSecrets } from './config-types.js';

const FILE = 'secrets.json';

const GENERATORS: Record<keyof GeneratedSecrets, () => string> = {
  APP_KEY: () => `base64:${randomBytes(32).toString('base64')}`,
  REVERB_APP_ID: () => String(100000 + (randomBytes(4).readUInt32BE() % 900000)),
  REVERB_APP_KEY: () => randomBytes(10).toString('hex'),
  // 40 characters: above the 32 that loadConfig demands outside development.
  REVERB_APP_SECRET: () => randomBytes(20).toString('hex'),
};
const NAMES = Object.keys(GENERATORS) as (keyof GeneratedSecrets)[];

/**
 * The secrets to run with: each comes from the environment, else from `storage/secrets.json`
 * (kept from an earlier start), else is generated and kept there, so a dev install keeps its
 * tokens and sessions across restarts. Values given in the environment are never written.
 */
export function ensureGeneratedSecrets(storagePath: string, env: Record<string, string | undefined>): GeneratedSecrets {
  const path = join(storagePath, FILE);
  // Two commands starting at once (say `migrate` and `start`) must end up with the same secrets:
  // the first to create the file wins and the other reads it again.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const stored = readStored(path);
    const missing = NAMES.filter((name) => !env[name] && stored.values[name] === undefined);
    if (missing.length === 0) return pick(env, stored.values);
    const next: Partial<GeneratedSecrets> = { ...stored.values };
    for (const name of missing) next[name] = GENERATORS[name]();
    if (writeStored(storagePath, path, next, stored.exists)) return pick(env, next);
  }
  throw new ConfigError([`${path}: could not be created (another process keeps replacing it)`]);
}

function pick(env: Record<string, string | undefined>, stored: Partial<GeneratedSecrets>): GeneratedSecrets {
  const value = (name: keyof GeneratedSecrets): string => env[name] || (stored[name] as string);
  return { APP_KEY: value('APP_KEY'), REVERB_APP_ID: value('REVERB_APP_ID'), REVERB_APP_KEY: value('REVERB_APP_KEY'), REVERB_APP_SECRET: value('REVERB_APP_SECRET') };
}

function readStored(path: string): { exists: boolean; values: Partial<GeneratedSecrets> } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, values: {} };
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ConfigError([`${path}: is not valid JSON; fix it, or delete it to generate new secrets (sessions and visitor tokens then stop working)`]);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ConfigError([`${path}: must be a JSON object`]);
  const values: Partial<GeneratedSecrets> = {};
  for (const name of NAMES) {
    const value = (data as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') throw new ConfigError([`${path}: ${name} must be a non-empty string`]);
    values[name] = value;
  }
  return { exists: true, values };
}

/** Writes atomically with mode 0600; a first write answers false if another process created the file meanwhile. */
function writeStored(storagePath: string, path: string, values: Partial<GeneratedSecrets>, exists: boolean): boolean {
  ensurePrivateDir(storagePath);
  const text = `${JSON.stringify(values, null, 2)}\n`;
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, text, { mode: 0o600, flag: 'wx' });
  try {
    if (exists) {
      renameSync(temp, path);
      return true;
    }
    try {
      // A hard link creates the file only if it is absent, and never half-written.
      linkSync(temp, path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
      // File systems without hard links: exclusive creation still lets only one process win.
      return createExclusive(path, text);
    }
    return true;
  } finally {
    rmSync(temp, { force: true });
  }
}

function createExclusive(path: string, text: string): boolean {
  try {
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

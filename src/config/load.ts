import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'dotenv';
import { loadConfig, type Config } from './config.js';
import { envSchema } from './env-schema.js';
import { ensureGeneratedSecrets } from './secrets.js';

/** The environment with `.env` underneath it: real environment variables win over the file. */
export function readEnvironment(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const file = resolve(cwd, '.env');
  const fromFile = existsSync(file) ? parse(readFileSync(file)) : {};
  return { ...fromFile, ...env };
}

/** Reads `.env` and the environment, fills generated secrets from `storage/`, validates everything. */
export function loadConfigFromEnvironment(env = readEnvironment()): Config {
  const storage = envSchema.shape.STORAGE_PATH.safeParse(env.STORAGE_PATH || undefined);
  const storagePath = resolve(storage.success ? storage.data : 'storage');
  return loadConfig(env, ensureGeneratedSecrets(storagePath, env));
}

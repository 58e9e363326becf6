import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'dotenv';
import type { Config, GeneratedSecrets } from './config-types.js';
import { loadConfig } from './load-config.js';
import { ensureGeneratedSecrets } from './secrets.js';

/** Stand-ins used only to validate the environment before anything is generated or written. */
const PLACEHOLDER_SECRETS: GeneratedSecrets = {
  APP_KEY: `base64:${Buffer.alloc(32).toString('base64')}`,
  REVERB_APP_ID: 'placeholder',
  REVERB_APP_KEY: 'placeholder',
  // As long as a generated one, so the length check outside development passes for it too.
  REVERB_APP_SECRET: 'placeholder'.padEnd(40, '-'),
};

/** The environment with `.env` underneath it: real environment variables win over the file. */
export function readEnvironment(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const file = resolve(cwd, '.env');
  const fromFile = existsSync(file) ? parse(readFileSync(file)) : {};
  return { ...fromFile, ...env };
}

/** Reads `.env` and the environment, validates everything, then fills generated secrets from `storage/`. */
export function loadConfigFromEnvironment(env = readEnvironment()): Config {
  // Validate first, so a typo fails without leaving a storage/ directory and secrets behind.
  const { storagePath } = loadConfig(env, PLACEHOLDER_SECRETS);
  return loadConfig(env, ensureGeneratedSecrets(storagePath, env));
}

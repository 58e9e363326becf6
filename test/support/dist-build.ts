import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { TEST_DATABASE_URL } from './engines.js';
import { buildDist, ROOT } from './process.js';

/**
 * Compiles `src` into `dist` unless `dist` is newer than every source file, one test file at a time
 * (a PostgreSQL advisory lock), so two suites never rewrite `dist` under each other's processes.
 */
export async function buildDistOnce(): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock(7270418)');
    if (!distIsFresh()) buildDist();
  } finally {
    await client.end();
  }
}

/** Whether the last build (`dist/.tsbuildinfo`) is newer than every file under `src`. */
function distIsFresh(): boolean {
  const built = join(ROOT, 'dist', '.tsbuildinfo');
  if (!existsSync(built)) return false;
  const builtAt = statSync(built).mtimeMs;
  const sources = readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return sources.every((entry) => statSync(join(entry.parentPath, entry.name)).mtimeMs <= builtAt);
}

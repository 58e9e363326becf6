import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';

/** Owner-only modes for `storage/` and the SQLite files (docs/deployment.md, "File permissions"). */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `path` (and missing parents) when absent and makes it owner-only. The mode is set with
 * chmod after creation, so a permissive umask cannot widen it. An existing directory is left as it is:
 * its owner chose its mode.
 */
export function ensurePrivateDir(path: string): void {
  if (existsSync(path)) return;
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(path, PRIVATE_DIR_MODE);
}

/** Creates an empty owner-only file when absent (SQLite opens an empty file as a new database). */
export function createPrivateFile(path: string): void {
  try {
    writeFileSync(path, '', { flag: 'wx', mode: PRIVATE_FILE_MODE });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  }
  chmodSync(path, PRIVATE_FILE_MODE);
}

/**
 * Makes each existing file owner-only. A file someone else owns (EPERM) keeps its mode: the
 * operator set it up that way on purpose.
 */
export function restrictFiles(paths: string[]): void {
  for (const path of paths) {
    try {
      chmodSync(path, PRIVATE_FILE_MODE);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EPERM') throw error;
    }
  }
}

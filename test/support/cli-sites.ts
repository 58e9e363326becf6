import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { buildDistOnce } from './dist-build.js';
import { pgMissing } from './engines.js';
import { buildDist, freePort, ParleyProcesses, type ParleyProcess } from './process.js';

export const FINGERPRINT = 'f'.repeat(64);

/** A working directory for one `parley` process: its environment and the URL it listens on. */
export interface Site {
  cwd: string;
  env: Record<string, string>;
  url: string;
}

/** A message as the HTTP API answers it. */
export interface Message {
  seq: number;
  sender: string;
  body: string;
}

/** The admin credentials `parley start` prints on its first start. */
export function printedCredentials(stdout: string): { email: string; password: string } | undefined {
  const match = /email:\s+(\S+)\s+password:\s+(\S+)/.exec(stdout);
  return match ? { email: match[1] as string, password: match[2] as string } : undefined;
}

export async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** Logs an agent in over HTTP; answers the headers a state-changing agent request needs. */
export async function login(site: Site, email: string, password: string): Promise<Record<string, string>> {
  const res = await post(`${site.url}/api/agent/login`, { email, password });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('parley_session='));
  expect(cookie).toBeDefined();
  const { csrf_token } = await json<{ csrf_token: string }>(res);
  return { cookie: (cookie as string).split(';')[0] as string, 'x-csrf-token': csrf_token };
}

/**
 * The real CLI, compiled, as child processes on real ports: builds dist (once for all suites), and after each test
 * kills what it started and removes its working directories. Every wait is bounded; nothing sleeps.
 */
export function useCliSites() {
  const processes = new ParleyProcesses();
  const dirs: string[] = [];

  // The CLI suites run side by side: the lock keeps one from rewriting dist under another's processes.
  beforeAll(async () => {
    if (pgMissing) buildDist();
    else await buildDistOnce();
  }, 180_000);
  beforeEach(() => {
    expect(dirs).toHaveLength(0);
  });
  afterEach(async () => {
    await processes.killAll();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await processes.killAll();
  });

  return {
    processes,
    /** A fresh working directory with its own storage and a free port. */
    newSite: async (extra: Record<string, string> = {}): Promise<Site> => {
      const cwd = mkdtempSync(join(tmpdir(), 'parley-cli-'));
      dirs.push(cwd);
      const port = await freePort();
      return {
        cwd,
        env: { STORAGE_PATH: join(cwd, 'storage'), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...extra },
        url: `http://127.0.0.1:${port}`,
      };
    },
    /** `parley start`, once it listens. */
    start: async (site: Site): Promise<ParleyProcess> => {
      const parley = processes.spawn(['start'], site);
      await parley.listening();
      return parley;
    },
    run: (site: Site, ...args: string[]) => processes.run(args, site),
  };
}

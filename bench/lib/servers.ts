import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/support/process.js';
import type { ServerStats } from '../servers/server-host.js';
import { forkTs, waitUntil, type Child } from './proc.js';
import { BENCH_APP } from './pusher-sign.js';

export type ServerKind = 'floor' | 'parley';

export const ADMIN = { email: 'bench@parley.local', password: 'bench-password-123' };

/** A running server under test, with the hook that reads its memory and CPU from inside. */
export interface BenchServer {
  kind: ServerKind;
  base: string;
  wsUrl: string;
  pid: number;
  stats(gc?: boolean): Promise<ServerStats>;
  /** Starts a CPU profile inside the server; `profileStop` writes it to `file`. */
  profileStart(): Promise<void>;
  profileStop(file: string): Promise<void>;
  stop(): Promise<void>;
}

/** What Parley needs to run unattended and unthrottled: fixed credentials, limits out of the way. */
function parleyEnv(port: number, storage: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const unlimited = '1000000/1s';
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    APP_URL: `http://127.0.0.1:${port}`,
    STORAGE_PATH: storage,
    APP_KEY: 'bench-app-key-0123456789abcdef0123456789',
    REVERB_APP_ID: BENCH_APP.id,
    REVERB_APP_KEY: BENCH_APP.key,
    REVERB_APP_SECRET: BENCH_APP.secret,
    LOG_LEVEL: 'warn',
    // Visitors each send X-Forwarded-For with their own address (see chat-client.ts).
    TRUST_PROXY: 'loopback',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    CHAT_RATE_LIMIT_START: unlimited,
    CHAT_RATE_LIMIT_SEND: unlimited,
    AGENT_RATE_LIMIT_LOGIN: unlimited,
    // Every benchmark socket comes from 127.0.0.1: lift the realtime caps meant for real clients.
    REVERB_APP_MAX_CONNECTIONS: '1000000',
    REVERB_APP_MAX_CONNECTIONS_PER_IP: '1000000',
    ...extra,
  };
}

/** Starts the floor or Parley (SQLite in a fresh directory unless `extraEnv` says otherwise) and waits for `/up`. */
export async function startServer(kind: ServerKind, extraEnv: Record<string, string> = {}): Promise<BenchServer> {
  const port = await freePort();
  const storage = mkdtempSync(join(tmpdir(), `parley-bench-${kind}-`));
  const env = kind === 'parley' ? parleyEnv(port, storage, extraEnv) : { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1' };
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each server when it stops (open it in Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child: Child = forkTs(`${kind}:${port}`, 'servers/server-host.ts', [kind], { env, execArgv: ['--expose-gc', ...profile] });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      async () => {
        if (child.proc.exitCode !== null) throw new Error(`${kind} exited with code ${child.proc.exitCode} while starting`);
        return (await fetch(`${base}/up`, { signal: AbortSignal.timeout(1000) })).ok;
      },
      30_000,
      `${kind} /up`,
      100,
    );
  } catch (error) {
    await child.stop();
    throw error;
  }
  return {
    kind,
    base,
    wsUrl: `ws://127.0.0.1:${port}/app/${BENCH_APP.key}?protocol=7&client=bench&version=8.4.0`,
    pid: child.pid,
    stats: (gc = false) => child.call<ServerStats>('stats', { gc }, 15_000),
    profileStart: () => child.call<void>('profileStart', {}, 10_000),
    profileStop: (file) => child.call<void>('profileStop', { file }, 30_000),
    stop: async () => {
      await child.stop();
      rmSync(storage, { recursive: true, force: true });
    },
  };
}

/** CPU and wall time a server spent between two stats samples. */
export function cpuBetween(before: ServerStats, after: ServerStats): { cpuMs: number; wallMs: number; cpuPercent: number } {
  const cpuMs = (after.cpuMicros - before.cpuMicros) / 1000;
  const wallMs = after.atMs - before.atMs;
  return { cpuMs, wallMs, cpuPercent: (100 * cpuMs) / wallMs };
}

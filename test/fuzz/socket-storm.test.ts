import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileString, percentEncode } from '../support/fuzz-arbitraries.js';
import { documentedCloseCodes, FUZZ_RUNS, FUZZ_SEED, FuzzCounts } from '../support/fuzz-config.js';
import { fuzzFrame } from '../support/fuzz-frames.js';
import { exchange, requestBytes } from '../support/fuzz-http.js';
import { APP, SHOP_ORIGIN } from '../support/fuzz-server.js';
import { ROOT } from '../support/process.js';
import { waitFor } from '../support/pusher-clients.js';
import { clientFrame, RawSocket, textFrame, upgradeRequest } from '../support/raw-websocket.js';

/**
 * A storm of hostile sockets against a Parley in its own process (run with `--expose-gc`): random
 * upgrades, half-open handshakes, half-sent frames, bad frames, floods of subscriptions and frames,
 * abrupt resets. Afterwards the process is alive, `/up` answers, every close code seen is
 * documented, nothing reached the crash guard, every connection is gone and the heap is back near
 * where it started.
 */
const counts = new FuzzCounts('socket storm');
const STORM = Math.max(320, FUZZ_RUNS ?? 0);
/** Sockets open at once: below the per-IP cap (100) for most waves, above it for one. */
const WAVE = 80;
/** How much the heap may grow over the storm, after full collections: far less than 300 leaked connections would hold. */
const HEAP_SLACK = 4 * 1024 * 1024;
const RSS_SLACK = 64 * 1024 * 1024;
const CLOSE_CODES = documentedCloseCodes();

interface Measure {
  heap: number;
  rss: number;
  gc: boolean;
  connections: number;
}

/** The child Parley: its port, its stdout (pino JSON at `error`), and measurements over IPC. */
class StormTarget {
  stdout = '';
  exited = false;
  port = 0;

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    child.once('exit', () => (this.exited = true));
  }

  static async start(): Promise<StormTarget> {
    const child = fork(fileURLToPath(new URL('../support/fuzz-child.ts', import.meta.url)), [], {
      cwd: ROOT,
      execArgv: ['--expose-gc', '--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const target = new StormTarget(child);
    target.port = await target.reply<{ port: number }>((m) => 'port' in m, 'the child to listen', 30_000).then((m) => m.port);
    return target;
  }

  reply<T>(match: (m: Record<string, unknown>) => boolean, label: string, ms = 10_000): Promise<T> {
    return waitFor<T>(
      label,
      (resolve, reject) => {
        const onMessage = (m: unknown) => {
          if (typeof m === 'object' && m !== null && match(m as Record<string, unknown>)) resolve(m as T);
        };
        const onExit = () => reject(new Error(`the child exited before ${label}:\n${this.stdout}`));
        this.child.on('message', onMessage);
        this.child.once('exit', onExit);
        return () => {
          this.child.off('message', onMessage);
          this.child.off('exit', onExit);
        };
      },
      ms,
    );
  }

  async measure(): Promise<Measure> {
    const answer = this.reply<Measure>((m) => 'heap' in m, 'a measurement');
    this.child.send('measure');
    return answer;
  }

  /** Log lines at `error` or above (the crash guard's, or an internal error): each one is a bug. */
  errorLines(): string[] {
    return this.stdout.split('\n').filter((line) => line.trim() !== '');
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  }
}

/** What one hostile socket does. */
type Behaviour =
  | { kind: 'random upgrade'; target: string; origin: string | null }
  | { kind: 'half-open handshake'; cut: number }
  | { kind: 'bad frames'; frames: Buffer[] }
  | { kind: 'half-sent frame'; declared: number }
  | { kind: 'subscription flood'; channels: number }
  | { kind: 'frame flood'; frames: number }
  | { kind: 'reset after connecting' }
  | { kind: 'half-close after connecting' };

const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  fc.record({
    kind: fc.constant('random upgrade' as const),
    target: fc.oneof(fc.constantFrom('/app/%ZZ?protocol=7', '//', `/app/${APP.key}?protocol=x`, '/app/unknown?protocol=7'), hostileString(2_000).map((k) => `/app/${percentEncode(k)}?protocol=7`)),
    origin: fc.option(fc.oneof(fc.constant(SHOP_ORIGIN), hostileString(300).map((s) => Buffer.from(s).toString('latin1').replace(/[\r\n]/g, ''))), { nil: null }),
  }),
  fc.record({ kind: fc.constant('half-open handshake' as const), cut: fc.integer({ min: 1, max: 120 }) }),
  // Without client close frames: the server echoes a client's close code, which is the client's, not ours to document.
  fc.record({ kind: fc.constant('bad frames' as const), frames: fc.array(fuzzFrame.filter((f) => f.closeCode === undefined && f.signed === undefined).map((f) => f.bytes), { minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant('half-sent frame' as const), declared: fc.integer({ min: 200, max: 9_000 }) }),
  fc.record({ kind: fc.constant('subscription flood' as const), channels: fc.integer({ min: 50, max: 150 }) }),
  fc.record({ kind: fc.constant('frame flood' as const), frames: fc.integer({ min: 150, max: 400 }) }),
  fc.constant({ kind: 'reset after connecting' as const }),
  fc.constant({ kind: 'half-close after connecting' as const }),
);

describe('a storm of hostile sockets', () => {
  let target: StormTarget;
  const closeCodes = new Map<number, number>();
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    target = await StormTarget.start();
  }, 40_000);
  afterAll(async () => {
    counts.print();
    console.log(`[fuzz] socket storm: close codes ${JSON.stringify(Object.fromEntries(closeCodes))}, upgrade statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    await target?.stop();
  });

  /** Starts one hostile socket; answers the socket to destroy at the end of its wave (left open on purpose where half-open). */
  const unleash = async (b: Behaviour): Promise<Socket> => {
    counts.sockets += 1;
    if (b.kind !== 'half-open handshake') counts.requests += 1;
    const good = upgradeRequest(`/app/${APP.key}?protocol=7`, { Origin: SHOP_ORIGIN });
    const raw = await RawSocket.open(target.port);
    const note = (code: number) => closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1);
    const watchClose = () =>
      raw
        .closeFrame()
        .then((c) => note(c.code))
        .catch(() => undefined);
    const connected = async () => {
      raw.write(good);
      const status = await raw.status();
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      return status === 101;
    };
    switch (b.kind) {
      case 'random upgrade': {
        raw.write(upgradeRequest(b.target, { Origin: b.origin }));
        const status = await raw.status().catch(() => 0);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 101) void watchClose();
        break;
      }
      case 'half-open handshake':
        raw.write(good.subarray(0, b.cut));
        break;
      case 'bad frames':
        if (await connected()) {
          for (const frame of b.frames) raw.write(frame);
          counts.frames += b.frames.length;
          void watchClose();
        }
        break;
      case 'half-sent frame':
        if (await connected()) {
          raw.write(clientFrame(1, Buffer.alloc(b.declared, 0x61), b.declared).subarray(0, 40));
          counts.frames += 1;
        }
        break;
      case 'subscription flood':
        if (await connected()) {
          for (let i = 0; i < b.channels; i += 1) raw.write(textFrame(JSON.stringify({ event: 'pusher:subscribe', data: { channel: `storm-${i}` } })));
          counts.frames += b.channels;
          void watchClose();
        }
        break;
      case 'frame flood':
        if (await connected()) {
          for (let i = 0; i < b.frames; i += 1) raw.write(textFrame(JSON.stringify({ event: 'pusher:ping', data: {} })));
          counts.frames += b.frames;
          void watchClose();
        }
        break;
      case 'reset after connecting':
        if (await connected()) raw.socket.resetAndDestroy();
        break;
      case 'half-close after connecting':
        if (await connected()) raw.socket.end();
        break;
    }
    return raw.socket;
  };

  /** Runs `n` hostile sockets in waves of WAVE, each wave destroyed before the next. */
  const storm = async (n: number, seed: number) => {
    const behaviours = fc.sample(behaviour, { numRuns: n, seed });
    for (let i = 0; i < behaviours.length; i += WAVE) {
      const sockets = await Promise.all(behaviours.slice(i, i + WAVE).map((b) => unleash(b)));
      // Let the server answer what it was sent (documented closes) before the wave goes away.
      await exchange(target.port, requestBytes({ method: 'GET', target: '/up' }));
      for (const socket of sockets) socket.destroy();
    }
  };

  /** Waits (bounded) until the child holds no WebSocket connection. */
  const drained = async (): Promise<Measure> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const m = await target.measure();
      if (m.connections === 0 || Date.now() > deadline) return m;
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  it(
    `${STORM} hostile sockets leave the process serving, with documented close codes, no connection left and the heap near its start`,
    async () => {
      await storm(40, FUZZ_SEED + 1); // warm-up: lazily built state is not a leak
      const before = await drained();
      await storm(STORM, FUZZ_SEED);
      const after = await drained();

      expect(target.exited, target.stdout).toBe(false);
      const up = await exchange(target.port, requestBytes({ method: 'GET', target: '/up' }));
      expect(up.status, up.body).toBe(200);
      expect([...closeCodes.keys()].filter((code) => !CLOSE_CODES.has(code)), 'undocumented close codes').toEqual([]);
      expect([...statuses.keys()].filter((status) => status >= 500), 'upgrade statuses ≥ 500').toEqual([]);
      expect(target.errorLines(), 'error log lines (crash guard or internal errors)').toEqual([]);
      expect(after.connections, 'WebSocket connections left after every socket closed').toBe(0);
      const growth = after.gc ? after.heap - before.heap : after.rss - before.rss;
      const slack = after.gc ? HEAP_SLACK : RSS_SLACK;
      console.log(`[fuzz] socket storm: ${after.gc ? 'heap' : 'rss'} ${(before.gc ? before.heap : before.rss) >> 20} MiB → ${(after.gc ? after.heap : after.rss) >> 20} MiB (growth ${(growth / 1024).toFixed(0)} KiB, bound ${slack >> 20} MiB)`);
      expect(growth, `memory growth over ${STORM} hostile sockets`).toBeLessThan(slack);
      counts.crashes += target.exited ? 1 : 0;
      expect(counts.crashes).toBe(0);
    },
    Math.max(60_000, STORM * 200),
  );
});

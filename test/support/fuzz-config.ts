import { readFileSync } from 'node:fs';
import type fc from 'fast-check';
import { ROOT } from './process.js';

/**
 * Settings of the property-based fuzz suites (test/fuzz/*.test.ts). CI runs a fixed seed and small
 * counts; `npm run fuzz` (scripts/fuzz.mjs) sets FUZZ_RUNS high and FUZZ_SEED at random, and prints the seed.
 */
const envInt = (name: string): number | undefined => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${raw}`);
  return value;
};

export const FUZZ_SEED = envInt('FUZZ_SEED') ?? 20_261_203;
/** When set, every property runs this many times instead of its CI count. */
export const FUZZ_RUNS = envInt('FUZZ_RUNS');

/** fast-check options for one property: the fixed (or given) seed, and `ciRuns` unless FUZZ_RUNS says otherwise. */
export function fuzzOptions<T>(ciRuns: number): fc.Parameters<T> {
  return { seed: FUZZ_SEED, numRuns: FUZZ_RUNS ?? ciRuns, endOnFailure: false };
}

/** A test timeout that grows with FUZZ_RUNS: `perRunMs` for each run, never less than 20 s. */
export function fuzzTimeout(ciRuns: number, perRunMs: number): number {
  return Math.max(20_000, (FUZZ_RUNS ?? ciRuns) * perRunMs * 3 + 10_000);
}

/** What a fuzz file did, printed at its end so CI logs show it. */
export class FuzzCounts {
  requests = 0;
  frames = 0;
  sockets = 0;
  fiveXx = 0;
  crashes = 0;
  private readonly stop: () => void;

  constructor(readonly suite: string) {
    // An exception or rejection nothing caught while the suite runs is a crash of the in-process server.
    const onCrash = () => {
      this.crashes += 1;
    };
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    this.stop = () => {
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
    };
  }

  print(): void {
    this.stop();
    console.log(
      `[fuzz] ${this.suite}: seed=${FUZZ_SEED} runs=${FUZZ_RUNS ?? 'ci'} requests=${this.requests} frames=${this.frames} sockets=${this.sockets} 5xx=${this.fiveXx} crashes=${this.crashes}`,
    );
  }
}

const ERRORS_MD = (): string => readFileSync(`${ROOT}docs/errors.md`, 'utf8');
const PUSHER_HEADING = '## Pusher protocol codes';
const WEBSOCKET_HEADING = '## WebSocket close codes';

/** The HTTP error codes docs/errors.md lists, with their status. */
export function documentedHttpCodes(): Map<string, number> {
  const section = ERRORS_MD().split(PUSHER_HEADING)[0] ?? '';
  const codes = new Map<string, number>();
  for (const match of section.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)) codes.set(match[1] as string, Number(match[2]));
  return codes;
}

/**
 * Every close code a client may see, as docs/errors.md lists them (Pusher 4xxx and WebSocket-level
 * codes), plus 1000 (normal), 1001 (going away) and 1006 (no close frame: the TCP connection ended).
 */
export function documentedCloseCodes(): Set<number> {
  const [, rest = ''] = ERRORS_MD().split(PUSHER_HEADING);
  const codes = new Set<number>([1000, 1001, 1006]);
  for (const match of rest.matchAll(/^\| `(\d{4})` \|/gm)) codes.add(Number(match[1]));
  return codes;
}

/** The Pusher codes docs/errors.md lists (for `pusher:error` frames). */
export function documentedPusherCodes(): Set<number> {
  const section = (ERRORS_MD().split(PUSHER_HEADING)[1] ?? '').split(WEBSOCKET_HEADING)[0] ?? '';
  return new Set([...section.matchAll(/^\| `(\d{4})` \|/gm)].map((m) => Number(m[1])));
}

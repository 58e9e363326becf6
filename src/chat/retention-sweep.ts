import type { Logger } from 'pino';
import { reduceIp, type RetentionStore } from '../storage/retention-store.js';
import type { ConversationRow } from '../storage/schema.js';
import type { Clock } from '../time/clock.js';
import type { TimerHandle, Timers } from '../time/timers.js';

/** How often a node sweeps (auto-close, IP reduction, and whether the daily run is due). */
export const SWEEP_INTERVAL_MS = 60_000;
const DAY_MS = 86_400_000;
const BATCH = 500;
/** Bounded loops: a sweep does at most this many batches, the next sweep goes on. */
const MAX_BATCHES = 100;

/** What one sweep did. */
export interface SweepOutcome {
  closed: number;
  reducedIps: number;
  /** Whether this node ran the daily retention run (one node of several does). */
  dailyRun: boolean;
}

/**
 * Retention in `parley start` (docs/privacy.md, "Retention"): closes open conversations idle past
 * `CHAT_AUTO_CLOSE_HOURS` (each published once, like an agent's close), reduces the IPs of
 * conversations past the resume window, and once a day (claimed in the database, so one node of
 * several) runs what `parley purge` runs.
 */
export class RetentionSweep {
  private timer: TimerHandle | undefined;
  private running: Promise<SweepOutcome> | undefined;

  constructor(
    private readonly deps: {
      store: RetentionStore;
      clock: Clock;
      timers: Timers;
      logger: Logger;
      /** Publishes the close of each conversation the sweep closed. */
      closed: (row: ConversationRow) => Promise<void>;
      /** `parley purge`'s work; run at most once a day across nodes. */
      dailyRun: () => Promise<unknown>;
      options: { autoCloseMs: number; resumeWindowMs: number };
    },
  ) {}

  start(): void {
    this.timer ??= this.deps.timers.setInterval(() => {
      if (!this.running) this.runOnce().catch((error: unknown) => this.deps.logger.error({ err: error }, 'retention sweep failed'));
    }, SWEEP_INTERVAL_MS);
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) this.deps.timers.clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One sweep at the clock's time (after the one in progress, if any). */
  async runOnce(): Promise<SweepOutcome> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = this.sweep();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async sweep(): Promise<SweepOutcome> {
    const { store, clock, options } = this.deps;
    let closed = 0;
    if (options.autoCloseMs > 0) {
      for (let round = 0; round < MAX_BATCHES; round += 1) {
        const now = clock.now();
        const rows = await store.closeIdle(now - options.autoCloseMs, now, BATCH);
        for (const row of rows) await this.deps.closed(row).catch((error: unknown) => this.deps.logger.error({ err: error, conversation: row.id }, 'publishing an automatic close failed'));
        closed += rows.length;
        if (rows.length < BATCH) break;
      }
    }
    const reducedIps = await reduceIps(store, clock.now() - options.resumeWindowMs);
    const now = clock.now();
    const dailyRun = await store.claim('retention', now, now + DAY_MS);
    if (dailyRun) await this.deps.dailyRun();
    return { closed, reducedIps, dailyRun };
  }
}

/** Reduces the IPs of every conversation last active before `before`, in bounded batches; answers how many. */
export async function reduceIps(store: Pick<RetentionStore, 'reduceIps'>, before: number): Promise<number> {
  let total = 0;
  for (let round = 0; round < MAX_BATCHES * 10; round += 1) {
    const picked = await store.reduceIps(before, BATCH, reduceIp);
    total += picked;
    if (picked < BATCH) break;
  }
  return total;
}

import { ManualClock } from './clock.js';

/** An opaque handle to a scheduled callback, for cancelling it. */
export type TimerHandle = unknown;

/** Scheduling, injected so heartbeats, retries and deadlines can be tested by moving time by hand. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(callback: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
}

/** Node's timers; intervals are unref'd, because a background chore must never keep the process alive. */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setInterval: (callback, ms) => setInterval(callback, ms).unref(),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

interface Scheduled {
  at: number;
  every: number | undefined;
  callback: () => void;
}

/** Timers that fire only when `advance` moves their clock past them, in time order. */
export class ManualTimers implements Timers {
  private readonly scheduled = new Map<number, Scheduled>();
  private nextId = 1;

  constructor(readonly clock: ManualClock = new ManualClock()) {}

  setTimeout(callback: () => void, ms: number): TimerHandle {
    return this.schedule(callback, ms, undefined);
  }

  setInterval(callback: () => void, ms: number): TimerHandle {
    return this.schedule(callback, ms, Math.max(1, ms));
  }

  clearTimeout(handle: TimerHandle): void {
    this.scheduled.delete(handle as number);
  }

  clearInterval(handle: TimerHandle): void {
    this.scheduled.delete(handle as number);
  }

  /** How many callbacks are waiting. */
  get pending(): number {
    return this.scheduled.size;
  }

  /** Moves the clock by `ms`, firing every callback that falls due on the way at its own time. */
  advance(ms: number): void {
    const end = this.clock.now() + ms;
    for (let due = this.nextDue(end); due; due = this.nextDue(end)) {
      const [id, timer] = due;
      this.clock.advance(timer.at - this.clock.now());
      if (timer.every === undefined) this.scheduled.delete(id);
      else timer.at += timer.every;
      timer.callback();
    }
    this.clock.advance(end - this.clock.now());
  }

  private schedule(callback: () => void, ms: number, every: number | undefined): TimerHandle {
    const id = this.nextId++;
    this.scheduled.set(id, { at: this.clock.now() + Math.max(0, ms), every, callback });
    return id;
  }

  private nextDue(end: number): [number, Scheduled] | undefined {
    let next: [number, Scheduled] | undefined;
    for (const entry of this.scheduled) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
    return next;
  }
}

import { describe, expect, it } from 'vitest';
import { ManualTimers } from '../src/time/timers.js';

describe('ManualTimers', () => {
  it('fires callbacks only when advanced past them, in time order, with the clock at each one\'s due time', () => {
    const timers = new ManualTimers();
    const start = timers.clock.now();
    const fired: [string, number][] = [];
    timers.setTimeout(() => fired.push(['late', timers.clock.now() - start]), 300);
    timers.setTimeout(() => fired.push(['early', timers.clock.now() - start]), 100);
    timers.advance(99);
    expect(fired).toEqual([]);
    timers.advance(301);
    expect(fired).toEqual([['early', 100], ['late', 300]]);
    expect(timers.clock.now() - start).toBe(400);
    expect(timers.pending).toBe(0);
  });

  it('repeats an interval at each period until cleared, interleaved with timeouts', () => {
    const timers = new ManualTimers();
    const fired: string[] = [];
    const tick = timers.setInterval(() => fired.push('tick'), 100);
    timers.setTimeout(() => fired.push('once'), 150);
    timers.advance(350);
    expect(fired).toEqual(['tick', 'once', 'tick', 'tick']);
    timers.clearInterval(tick);
    timers.advance(1_000);
    expect(fired).toHaveLength(4);
  });

  it('never fires a cleared timeout, and fires one scheduled by a callback within the same advance', () => {
    const timers = new ManualTimers();
    const fired: string[] = [];
    const cancelled = timers.setTimeout(() => fired.push('cancelled'), 50);
    timers.clearTimeout(cancelled);
    timers.setTimeout(() => timers.setTimeout(() => fired.push('chained'), 50), 50);
    timers.advance(100);
    expect(fired).toEqual(['chained']);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { realClock } from '../web/shared/clock.js';
import { Delivery, type Transport } from '../web/shared/delivery.js';
import { Retries } from '../web/shared/retries.js';

describe('widget delivery: WebSocket, or polling when it fails (docs/widget.md, "Realtime and the polling fallback")', () => {
  let transports: Transport[];
  let catchUps: number;
  let delivery: Delivery;

  beforeEach(() => {
    vi.useFakeTimers();
    transports = [];
    catchUps = 0;
    delivery = new Delivery({ clock: realClock, catchUp: () => (catchUps += 1), onTransport: (t) => transports.push(t) });
  });
  afterEach(() => {
    delivery.stop();
    vi.useRealTimers();
  });

  it('uses the WebSocket once it connects within 4 s, and catches up', () => {
    delivery.linkState('connecting');
    vi.advanceTimersByTime(3000);
    delivery.linkState('connected');
    expect(transports).toEqual(['websocket']);
    expect(catchUps).toBe(1);
    vi.advanceTimersByTime(60_000);
    expect(catchUps).toBe(1);
  });

  it('polls every 2.5 s when the WebSocket has not connected within 4 s', () => {
    delivery.linkState('connecting');
    vi.advanceTimersByTime(3999);
    expect(transports).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(transports).toEqual(['polling']);
    expect(catchUps).toBe(1);
    vi.advanceTimersByTime(2500);
    expect(catchUps).toBe(2);
    vi.advanceTimersByTime(7500);
    expect(catchUps).toBe(5);
  });

  it('stops polling when the WebSocket connects again', () => {
    delivery.linkState('connecting');
    vi.advanceTimersByTime(4000);
    delivery.linkState('connected');
    expect(transports).toEqual(['polling', 'websocket']);
    const before = catchUps;
    vi.advanceTimersByTime(10_000);
    expect(catchUps).toBe(before);
  });

  it('polls at once when a connected WebSocket drops', () => {
    delivery.linkState('connected');
    delivery.linkState('connecting');
    expect(transports).toEqual(['websocket', 'polling']);
    expect(catchUps).toBe(2);
  });

  it('polls at once when pusher reports the connection unavailable or failed', () => {
    delivery.linkState('connecting');
    delivery.linkState('unavailable');
    expect(transports).toEqual(['polling']);
  });

  it('polls from the start without a realtime server', () => {
    delivery.noRealtime();
    expect(transports).toEqual(['polling']);
    vi.advanceTimersByTime(2500);
    expect(catchUps).toBe(2);
  });

  it('polls while connected if the conversation channel is refused, and catches up once it is granted', () => {
    delivery.linkState('connected');
    delivery.subscription(false);
    expect(transports).toEqual(['websocket', 'polling']);
    const before = catchUps;
    delivery.subscription(true);
    expect(transports).toEqual(['websocket', 'polling', 'websocket']);
    expect(catchUps).toBe(before + 1);
  });
});

describe('widget retries', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a task once after the delay, the latest one per name', () => {
    const runs: string[] = [];
    const retries = new Retries(realClock, 5000);
    retries.later('config', () => runs.push('config 1'));
    retries.later('config', () => runs.push('config 2'));
    retries.later('check', () => runs.push('check'));
    vi.advanceTimersByTime(4999);
    expect(runs).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(runs).toEqual(['config 2', 'check']);
  });

  it('runs everything at once when the browser is back online', () => {
    const runs: string[] = [];
    const retries = new Retries(realClock, 5000);
    retries.later('probe', () => runs.push('probe'));
    retries.runAll();
    expect(runs).toEqual(['probe']);
    vi.advanceTimersByTime(10_000);
    expect(runs).toEqual(['probe']);
  });
});

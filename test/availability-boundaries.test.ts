import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decideAvailability } from '../src/chat/availability.js';
import type { ChatRealtime } from '../src/chat/chat-realtime.js';
import type { BusinessHours } from '../src/chat/dto.js';
import type { ChatEvent } from '../src/chat/events.js';
import { availabilityFor } from '../src/compose/availability-for.js';
import { storesOf } from '../src/compose/stores.js';
import type { Storage } from '../src/storage/database.js';
import { ManualClock } from '../src/time/clock.js';
import { ManualTimers } from '../src/time/timers.js';
import { ENGINES, freshStorage, skipEngine } from './support/engines.js';
import { testConfig } from './support/harness.js';

// Availability over time (docs/api.md, "Availability"): the decision as a table, and the
// announcements at business-hours openings and closings, once across several nodes.

const at = (iso: string): number => Date.parse(iso);
const NINE_TO_FIVE_UTC: BusinessHours = { timezone: 'UTC', days: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']] } };

describe('deciding availability', () => {
  it.each<[string, number, BusinessHours | null, string, boolean, string | null]>([
    ['no hours, an agent online', 1, null, '2026-01-05T03:00:00Z', true, null],
    ['no hours, nobody online', 0, null, '2026-01-05T03:00:00Z', false, null],
    ['within hours, an agent online', 2, NINE_TO_FIVE_UTC, '2026-01-05T10:00:00Z', true, null],
    ['within hours, nobody online: no known next time', 0, NINE_TO_FIVE_UTC, '2026-01-05T10:00:00Z', false, null],
    ['before opening, an agent online: the opening', 1, NINE_TO_FIVE_UTC, '2026-01-05T08:00:00Z', false, '2026-01-05T09:00:00.000Z'],
    ['after closing, nobody online: the next opening all the same', 0, NINE_TO_FIVE_UTC, '2026-01-05T18:00:00Z', false, '2026-01-06T09:00:00.000Z'],
    ['hours that never open', 1, { timezone: 'UTC', days: {} }, '2026-01-05T10:00:00Z', false, null],
  ])('%s', (_name, onlineAndConnected, hours, now, available, nextAvailableAt) => {
    expect(decideAvailability({ onlineAndConnected, hours, now: at(now) })).toEqual({ available, nextAvailableAt });
  });
});

/** One node's availability parts over a shared database, with its own timers on a shared clock. */
function node(storage: Storage, clock: ManualClock, connected: number[]) {
  const timers = new ManualTimers(clock);
  const published: ChatEvent[] = [];
  const realtime = { connectedAgentIds: async () => connected, onAvailabilityChange: () => undefined } as unknown as ChatRealtime;
  const parts = availabilityFor(testConfig(), {
    stores: storesOf(storage),
    realtime,
    publish: async (event) => void published.push(event),
    clock,
    timers,
    logger: pino({ level: 'silent' }),
  });
  return { ...parts, timers, published };
}

describe.each(ENGINES)('announcing business-hours changes on %s', (engine) => {
  let storage: Storage | undefined;
  const nodes: ReturnType<typeof node>[] = [];
  afterEach(async () => {
    for (const n of nodes.splice(0)) n.availability.stop();
    await storage?.close();
    storage = undefined;
  });

  /** `count` nodes on one database; agent 1 (the first admin) is online and connected. */
  const cluster = async (count: number, now: string) => {
    storage = await freshStorage(engine);
    const stores = storesOf(storage);
    await stores.agents.create({ email: 'a@example.test', name: 'A', password_hash: 'x', role: 'admin', created_at: 0, last_seen_at: null, deactivated_at: null });
    const clock = new ManualClock(at(now));
    for (let i = 0; i < count; i++) nodes.push(node(storage, clock, [1]));
    return { clock, nodes };
  };
  /** Every node waits again (a tick reschedules after its database work), so the clock may move on. */
  const settled = () => vi.waitFor(() => expect(nodes.map((n) => n.timers.pending)).toEqual(nodes.map(() => 1)));
  /** Moves every node's timers to `iso`, at most a recheck period (15 minutes) at a time. */
  const advanceTo = async (clock: ManualClock, iso: string) => {
    while (clock.now() < at(iso)) {
      const target = Math.min(clock.now() + 15 * 60_000, at(iso));
      for (const n of nodes) n.timers.advance(target - n.timers.clock.now());
      await settled();
    }
    // A change due at `iso` exactly, scheduled just now, fires without moving the clock.
    for (const n of nodes) n.timers.advance(0);
    await settled();
  };
  const availabilityEvents = (n: ReturnType<typeof node>) => n.published.filter((e) => e.name === 'AvailabilityChanged');

  it('announces the opening and the closing, with the next opening while closed', async (ctx) => {
    if (skipEngine(engine)) return ctx.skip();
    const { clock, nodes: [one] } = await cluster(1, '2026-01-05T08:00:00Z');
    if (!one) throw new Error('no node');
    await one.availability.start();
    await one.settings.update({ business_hours: NINE_TO_FIVE_UTC });
    expect(availabilityEvents(one)).toEqual([{ name: 'AvailabilityChanged', agentsOnline: 1, available: false, nextAvailableAt: '2026-01-05T09:00:00.000Z' }]);

    await advanceTo(clock, '2026-01-05T09:00:00Z');
    await expect.poll(() => availabilityEvents(one).length).toBe(2);
    expect(availabilityEvents(one)[1]).toEqual({ name: 'AvailabilityChanged', agentsOnline: 1, available: true, nextAvailableAt: null });

    await advanceTo(clock, '2026-01-05T17:00:00Z');
    await expect.poll(() => availabilityEvents(one).length).toBe(3);
    expect(availabilityEvents(one)[2]).toEqual({ name: 'AvailabilityChanged', agentsOnline: 1, available: false, nextAvailableAt: '2026-01-06T09:00:00.000Z' });
  });

  it('follows hours saved on another node, and announces each change once across three nodes', async (ctx) => {
    if (skipEngine(engine)) return ctx.skip();
    const { clock, nodes: all } = await cluster(3, '2026-01-05T07:00:00Z');
    const [saver, ...others] = all as [ReturnType<typeof node>, ...ReturnType<typeof node>[]];
    for (const n of all) await n.availability.start();
    // Saved on the first node only: the others read it at their next recheck (15 minutes at most).
    await saver.settings.update({ business_hours: NINE_TO_FIVE_UTC });
    expect(availabilityEvents(saver)).toHaveLength(1);
    for (const n of others) expect(availabilityEvents(n)).toEqual([]);

    await advanceTo(clock, '2026-01-05T09:00:00Z');
    await advanceTo(clock, '2026-01-05T17:00:00Z');
    // The save, then the opening and the closing: each announced by exactly one node.
    const announced = all.flatMap((n) => availabilityEvents(n));
    expect(announced).toHaveLength(3);
    expect(announced.filter((e) => e.name === 'AvailabilityChanged' && e.available)).toHaveLength(1);
    expect(announced).toContainEqual({ name: 'AvailabilityChanged', agentsOnline: 1, available: false, nextAvailableAt: '2026-01-06T09:00:00.000Z' });
  });

  it('stops waiting when stopped', async (ctx) => {
    if (skipEngine(engine)) return ctx.skip();
    const { nodes: [one] } = await cluster(1, '2026-01-05T08:00:00Z');
    if (!one) throw new Error('no node');
    await one.availability.start();
    expect(one.timers.pending).toBe(1);
    one.availability.stop();
    expect(one.timers.pending).toBe(0);
  });
});

import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AssignmentService } from '../src/chat/assignment.js';
import type { ChatEvent } from '../src/chat/events.js';
import { storesOf, type Stores } from '../src/compose/stores.js';
import { AssignmentStore } from '../src/storage/assignment-store.js';
import type { Storage } from '../src/storage/database.js';
import type { Engine } from '../src/storage/engine.js';
import { ManualClock } from '../src/time/clock.js';
import { ManualTimers } from '../src/time/timers.js';
import { ENGINES, freshStorage, skipEngine } from './support/engines.js';

// The assignment service on real engines, with the realtime roster in our hands: agents
// connecting and disconnecting (docs/dashboard.md, "Automatic assignment").

const NOW = 1_800_000_000_000;
const GRACE_MS = 30_000;
const AVAILABILITY: ChatEvent = { name: 'AvailabilityChanged', agentsOnline: 0, available: true, nextAvailableAt: null };

describe.each(ENGINES)('the assignment service on %s', (engine: Engine) => {
  let storage: Storage;
  let stores: Stores;
  let connected: number[];
  let announced: number[];
  let service: AssignmentService;
  let clock: number;
  let timers: ManualTimers;

  beforeEach(async (ctx) => {
    if (skipEngine(engine)) return ctx.skip();
    storage = await freshStorage(engine);
    stores = storesOf(storage);
    connected = [];
    announced = [];
    clock = NOW;
    timers = new ManualTimers(new ManualClock(NOW));
    service = new AssignmentService({
      store: new AssignmentStore(storage),
      connectedAgentIds: async () => connected,
      announce: async (id) => void announced.push(id),
      logger: pino({ level: 'silent' }),
      timers,
      offlineGraceMs: GRACE_MS,
    });
    await stores.settings.update({ auto_assign: 1 });
  });
  afterEach(async () => {
    await service?.stop();
    await storage?.close();
  });

  const agent = async (name: string, extra: { status?: 'online' | 'away'; deactivated?: boolean } = {}): Promise<number> =>
    (
      await stores.agents.create({
        email: `${name}@example.test`,
        name,
        password_hash: 'x',
        role: 'agent',
        created_at: NOW,
        last_seen_at: NOW,
        deactivated_at: extra.deactivated ? NOW : null,
        status: extra.status ?? 'online',
      })
    ).id;
  /** A conversation with its visitor's first message, and the event that announces it. */
  const newConversation = async (): Promise<number> => {
    clock += 1000;
    const row = await stores.conversations.create({
      status: 'open', client_fingerprint: null, client_ip: '203.0.113.1', user_agent: 'UA', visitor_token_hash: `t${clock}`, visitor_name: null, visitor_email: null,
      page_url: null, referrer: null, assigned_agent_id: null, last_seq: 0, visitor_read_seq: 0, agent_read_seq: 0, created_at: clock, last_activity_at: clock, closed_at: null, origin: null,
    });
    const appended = await stores.conversations.append({ conversationId: row.id, sender: 'visitor', agentId: null, body: 'Hello', clientMessageId: null, now: clock, requireOpen: true });
    if (appended.kind !== 'created') throw new Error('not appended');
    await service.handle({ name: 'MessageSent', conversationId: row.id, message: { seq: 1, sender: 'visitor' } as never });
    return row.id;
  };
  const assignee = async (id: number): Promise<number | null> => (await stores.conversations.get(id))?.assigned_agent_id ?? null;

  it('skips agents who are away, deactivated or not connected', async () => {
    const away = await agent('away', { status: 'away' });
    const gone = await agent('gone', { deactivated: true });
    await agent('absent');
    const here = await agent('here');
    connected = [away, gone, here];

    const id = await newConversation();

    expect(await assignee(id)).toBe(here);
    expect(announced).toEqual([id]);
  });

  it("hands a disconnected agent's unanswered conversations to those still connected once the grace is over", async () => {
    const [a, b] = [await agent('a'), await agent('b')];
    connected = [a, b];
    await service.prime();
    const [first, second] = [await newConversation(), await newConversation()];
    expect([await assignee(first), await assignee(second)]).toEqual([a, b]);

    connected = [a];
    await service.handle(AVAILABILITY);
    expect(await assignee(second)).toBe(b);
    timers.advance(GRACE_MS);
    await service.settled();

    expect(await assignee(second)).toBe(a);
    expect(await assignee(first)).toBe(a);
    expect(announced).toEqual([first, second, second]);
  });

  it('keeps the conversations of an agent who reconnects within the grace (a reload)', async () => {
    const [a, b] = [await agent('a'), await agent('b')];
    connected = [a, b];
    await service.prime();
    const chats = [await newConversation(), await newConversation()];

    connected = connected.filter((id) => id !== b);
    await service.handle(AVAILABILITY);
    connected = [...connected, b];
    await service.handle(AVAILABILITY);
    timers.advance(GRACE_MS);
    await service.settled();

    expect([await assignee(chats[0] as number), await assignee(chats[1] as number)]).toEqual([a, b]);
    expect(announced).toEqual(chats);
  });

  it('gives the oldest waiting conversation to an agent who connects', async () => {
    const a = await agent('a');
    await service.prime();
    const [older, newer] = [await newConversation(), await newConversation()];
    expect([await assignee(older), await assignee(newer)]).toEqual([null, null]);

    await stores.settings.update({ max_open_per_agent: 1 });
    connected = [a];
    await service.handle(AVAILABILITY);

    expect([await assignee(older), await assignee(newer)]).toEqual([a, null]);
  });

  it('changes nothing while auto_assign is off', async () => {
    await stores.settings.update({ auto_assign: 0 });
    connected = [await agent('a')];
    const id = await newConversation();
    await service.handle(AVAILABILITY);
    expect(await assignee(id)).toBeNull();
    expect(announced).toEqual([]);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../web/shared/key-value-store.js';
import { KEYS } from '../web/widget/app/storage.js';
import { session, useFakeServer } from './support/widget-fake-server.js';

describe('widget chat session: outbox and merge', () => {
  const world = useFakeServer();

  it('sends the name and email given before the first message with `start` only, and keeps them no longer than the unsent message', async () => {
    const { s, store } = session(world.server);
    await s.checkStored(() => true);
    s.write('Are you open on Sunday?', { name: 'Ada', email: 'ada@example.com' });
    // Until it is acknowledged, a reload must still send it with the address the answer goes to.
    expect(store.getItem(KEYS.outbox)).toContain('ada@example.com');
    await vi.runAllTimersAsync();
    s.write('Thanks');
    await vi.runAllTimersAsync();
    expect(world.server.starts).toEqual([expect.objectContaining({ message: 'Are you open on Sunday?', name: 'Ada', email: 'ada@example.com' })]);
    expect(world.server.requests.filter((r) => r.startsWith('POST'))).toEqual(['POST /api/chat/start', 'POST /api/chat/1/messages']);
    expect(store.getItem(KEYS.outbox)).toBeNull();
    expect(Object.values(KEYS).map((key) => store.getItem(key) ?? '').join('\n')).not.toContain('ada@example.com');
  });

  it('starts with the email of a first message queued before a reload', async () => {
    const store = new MemoryStore();
    world.server.online = false;
    const before = session(world.server, store);
    await before.s.checkStored(() => true);
    before.s.write('Written offline', { email: 'ada@example.com' });
    await vi.advanceTimersByTimeAsync(0);
    before.s.flusher.stop();
    world.server.online = true;
    const after = session(world.server, store);
    expect(after.shown()).toEqual(['Written offline:pending']);
    await after.s.checkStored(() => true);
    await vi.runAllTimersAsync();
    expect(world.server.starts).toEqual([expect.objectContaining({ message: 'Written offline', email: 'ada@example.com' })]);
    expect(after.shown()).toEqual(['Written offline:sent']);
  });

  it('waits for the stored conversation to be checked before sending, so no second conversation starts', async () => {
    const { id, token } = world.server.create();
    const store = new MemoryStore();
    store.setItem(KEYS.conversationId, String(id));
    store.setItem(KEYS.token, token);
    store.setItem(KEYS.outbox, JSON.stringify([{ client_message_id: 'q-1', body: 'queued before reload', created_at: '2026-01-01T00:00:00.000Z' }]));
    world.server.online = false;
    const { s, shown } = session(world.server, store);
    expect(shown()).toEqual(['queued before reload:pending']);
    expect(await s.checkStored(() => true)).toBe('retry');
    s.flusher.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(world.server.requests.filter((r) => r.startsWith('POST'))).toEqual([]);
    world.server.online = true;
    expect(await s.checkStored(() => true)).toBe('resumed');
    await vi.runAllTimersAsync();
    expect(world.server.conversations.size).toBe(1);
    expect(world.server.conversations.get(id)!.messages.map((m) => m.body)).toEqual(['queued before reload']);
    expect(shown()).toEqual(['queued before reload:sent']);
  });

  it('sends a message once when its acknowledgement was lost, and keeps the order', async () => {
    const { s, shown } = session(world.server);
    await s.checkStored(() => true);
    s.write('first');
    await vi.runAllTimersAsync();
    world.server.loseAnswerFor.add('m-2');
    s.write('second (answer lost)');
    s.write('third');
    await vi.runAllTimersAsync();
    expect(world.server.conversations.get(1)!.messages.map((m) => `${m.seq}:${m.body}`)).toEqual(['1:first', '2:second (answer lost)', '3:third']);
    expect(shown()).toEqual(['first:sent', 'second (answer lost):sent', 'third:sent']);
  });

  it('keeps messages written offline, then sends each once when back online', async () => {
    const { s, store, shown } = session(world.server);
    await s.checkStored(() => true);
    s.write('online');
    await vi.runAllTimersAsync();
    world.server.online = false;
    ['one', 'two', 'three'].forEach((body) => s.write(body));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(shown()).toEqual(['online:sent', 'one:pending', 'two:pending', 'three:pending']);
    expect(JSON.parse(store.getItem(KEYS.outbox)!)).toHaveLength(3);
    world.server.online = true;
    s.flusher.kick();
    await vi.runAllTimersAsync();
    expect(world.server.conversations.get(1)!.messages.map((m) => m.body)).toEqual(['online', 'one', 'two', 'three']);
    expect(store.getItem(KEYS.outbox)).toBeNull();
  });

  it('409: a closed conversation stops sending and shows unsent messages as failed', async () => {
    const { s, store, shown } = session(world.server);
    await s.checkStored(() => true);
    s.write('hello');
    await vi.runAllTimersAsync();
    world.server.conversations.get(1)!.status = 'closed';
    s.write('are you there?');
    await vi.runAllTimersAsync();
    expect(s.state).toBe('closed');
    expect(shown()).toEqual(['hello:sent', 'are you there?:failed']);
    expect(store.getItem(KEYS.outbox)).toBeNull();
  });

  it('fills a hole in the sequence from a catch-up when a pushed message skips ahead', async () => {
    const { s, shown } = session(world.server);
    await s.checkStored(() => true);
    s.write('hi');
    await vi.runAllTimersAsync();
    world.server.add(1, { sender: 'agent', body: 'missed while reconnecting' });
    const pushed = world.server.add(1, { sender: 'agent', body: 'pushed' });
    s.receive([pushed], false);
    await vi.runAllTimersAsync();
    expect(shown()).toEqual(['hi:sent', 'missed while reconnecting:sent', 'pushed:sent']);
    expect(s.messages.cursor).toBe(3);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { realClock } from '../web/shared/clock.js';
import { MemoryStore } from '../web/shared/key-value-store.js';
import { Outbox } from '../web/shared/outbox.js';
import { backoff, OutboxFlusher } from '../web/shared/outbox-flusher.js';
import type { SendOutcome } from '../web/shared/send-outcome.js';
import { isOutboxItem as isItem, visitorOutbox, type OutboxItem } from '../web/widget/app/outbox-item.js';
import { KEYS } from '../web/widget/app/storage.js';

const item = (n: number): OutboxItem => ({ client_message_id: `c-${n}`, body: `message ${n}`, created_at: '2026-01-01T12:00:00.000Z' });

describe('outbox (the widget\'s chat_outbox)', () => {
  it('keeps items in order in storage, so they survive a reload', () => {
    const store = new MemoryStore();
    visitorOutbox(store).add(item(1));
    visitorOutbox(store).add(item(2));
    expect(visitorOutbox(store).items().map((i) => i.body)).toEqual(['message 1', 'message 2']);
    expect(JSON.parse(store.getItem(KEYS.outbox) ?? '')).toHaveLength(2);
  });

  it('removes the key when the last item is acknowledged', () => {
    const store = new MemoryStore();
    const outbox = visitorOutbox(store);
    outbox.add(item(1));
    outbox.remove('c-1');
    expect(store.getItem(KEYS.outbox)).toBeNull();
  });

  it('ignores a damaged chat_outbox instead of failing', () => {
    const store = new MemoryStore();
    store.setItem(KEYS.outbox, '{not json');
    expect(visitorOutbox(store).items()).toEqual([]);
    store.setItem(KEYS.outbox, JSON.stringify([item(1), { body: 'no id' }, 42]));
    expect(visitorOutbox(store).items()).toEqual([item(1)]);
  });

  it('queues a client_message_id once, so the server is asked to store it once', () => {
    const outbox = visitorOutbox(new MemoryStore());
    outbox.add(item(1));
    outbox.add({ ...item(1), body: 'again' });
    expect(outbox.items()).toEqual([item(1)]);
  });

  it('keeps queues under different keys apart (a page-long queue in a MemoryStore)', () => {
    const store = new MemoryStore();
    const replies = new Outbox(store, 'replies', isItem);
    replies.add(item(1));
    expect(visitorOutbox(store).items()).toEqual([]);
    expect(new Outbox(store, 'replies', isItem).items()).toEqual([item(1)]);
  });

  it('backs off 1 s, 2 s, 4 s… up to 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10].map(backoff)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
});

describe('outbox flusher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(answers: (item: OutboxItem, attempt: number) => SendOutcome, ready = () => true) {
    const outbox = visitorOutbox(new MemoryStore());
    const sent: string[] = [];
    const attempts = new Map<string, number>();
    const flusher = new OutboxFlusher({
      outbox,
      clock: realClock,
      ready,
      send: async (i) => {
        const attempt = attempts.get(i.client_message_id) ?? 0;
        attempts.set(i.client_message_id, attempt + 1);
        sent.push(i.client_message_id);
        return answers(i, attempt);
      },
    });
    return { outbox, flusher, sent };
  }

  it('sends one at a time, in order, until each is acknowledged', async () => {
    const { outbox, flusher, sent } = setup(() => ({ kind: 'ack' }));
    [1, 2, 3].forEach((n) => outbox.add(item(n)));
    flusher.kick();
    await vi.runAllTimersAsync();
    expect(sent).toEqual(['c-1', 'c-2', 'c-3']);
    expect(outbox.items()).toEqual([]);
  });

  it('retries a failed send with back-off, never skipping ahead of it', async () => {
    const { outbox, flusher, sent } = setup((i, attempt) => (i.client_message_id === 'c-1' && attempt < 3 ? { kind: 'retry' } : { kind: 'ack' }));
    [1, 2].forEach((n) => outbox.add(item(n)));
    flusher.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['c-1']);
    await vi.advanceTimersByTimeAsync(999);
    expect(sent).toEqual(['c-1']);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual(['c-1', 'c-1']);
    await vi.advanceTimersByTimeAsync(2000);
    expect(sent).toEqual(['c-1', 'c-1', 'c-1']);
    await vi.advanceTimersByTimeAsync(4000);
    expect(sent).toEqual(['c-1', 'c-1', 'c-1', 'c-1', 'c-2']);
    expect(outbox.items()).toEqual([]);
  });

  it('retries at once when kicked (back online, reconnected)', async () => {
    let online = false;
    const { outbox, flusher, sent } = setup(() => (online ? { kind: 'ack' } : { kind: 'retry' }));
    outbox.add(item(1));
    flusher.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(1);
    online = true;
    flusher.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(2);
    expect(outbox.items()).toEqual([]);
  });

  it('drops a refused message (422) and goes on with the next', async () => {
    const { outbox, flusher, sent } = setup((i) => (i.client_message_id === 'c-1' ? { kind: 'failed', code: 'validation_failed' } : { kind: 'ack' }));
    [1, 2].forEach((n) => outbox.add(item(n)));
    flusher.kick();
    await vi.runAllTimersAsync();
    expect(sent).toEqual(['c-1', 'c-2']);
    expect(outbox.items()).toEqual([]);
  });

  it('stops on a closed conversation (409) until resumed', async () => {
    const { outbox, flusher, sent } = setup(() => ({ kind: 'closed' }));
    [1, 2].forEach((n) => outbox.add(item(n)));
    flusher.kick();
    await vi.runAllTimersAsync();
    expect(sent).toEqual(['c-1']);
    flusher.kick();
    await vi.runAllTimersAsync();
    expect(sent).toEqual(['c-1']);
  });

  it.each(['gone', 'signed-out'] as const)('stops on %s, keeping the queue, and sends again once resumed', async (kind) => {
    let stopped = true;
    const { outbox, flusher, sent } = setup(() => (stopped ? { kind } : { kind: 'ack' }));
    [1, 2].forEach((n) => outbox.add(item(n)));
    flusher.kick();
    await vi.runAllTimersAsync();
    expect(sent).toEqual(['c-1']);
    expect(outbox.items()).toHaveLength(2);
    stopped = false;
    flusher.resume();
    await vi.runAllTimersAsync();
    expect(sent).toEqual(['c-1', 'c-1', 'c-2']);
    expect(outbox.items()).toEqual([]);
  });

  it('counts a send that throws as one to retry', async () => {
    let calls = 0;
    const outbox = visitorOutbox(new MemoryStore());
    const flusher = new OutboxFlusher({
      outbox,
      clock: realClock,
      ready: () => true,
      send: () => (++calls === 1 ? Promise.reject(new Error('offline')) : Promise.resolve({ kind: 'ack' as const })),
    });
    outbox.add(item(1));
    flusher.kick();
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(2);
    expect(outbox.items()).toEqual([]);
  });

  it('waits while the conversation is being looked up', async () => {
    let ready = false;
    const { outbox, flusher, sent } = setup(
      () => ({ kind: 'ack' }),
      () => ready,
    );
    outbox.add(item(1));
    flusher.kick();
    await vi.runAllTimersAsync();
    expect(sent).toEqual([]);
    ready = true;
    flusher.kick();
    await vi.runAllTimersAsync();
    expect(sent).toEqual(['c-1']);
  });

  it('honours Retry-After when it is longer than the back-off', async () => {
    const { outbox, flusher, sent } = setup((_i, attempt) => (attempt === 0 ? { kind: 'retry', afterMs: 10_000 } : { kind: 'ack' }));
    outbox.add(item(1));
    flusher.kick();
    await vi.advanceTimersByTimeAsync(9_999);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(2);
  });
});

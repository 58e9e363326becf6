import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { realClock } from '../web/widget/app/clock.js';
import { backoff, Outbox, OutboxFlusher, type OutboxItem, type SendOutcome } from '../web/widget/app/outbox.js';
import { KEYS, MemoryStore } from '../web/widget/app/storage.js';

const item = (n: number): OutboxItem => ({ client_message_id: `c-${n}`, body: `message ${n}`, created_at: '2026-01-01T12:00:00.000Z' });

describe('widget outbox (chat_outbox)', () => {
  it('keeps items in order in storage, so they survive a reload', () => {
    const store = new MemoryStore();
    new Outbox(store).add(item(1));
    new Outbox(store).add(item(2));
    expect(new Outbox(store).items().map((i) => i.body)).toEqual(['message 1', 'message 2']);
    expect(JSON.parse(store.getItem(KEYS.outbox) ?? '')).toHaveLength(2);
  });

  it('removes the key when the last item is acknowledged', () => {
    const store = new MemoryStore();
    const outbox = new Outbox(store);
    outbox.add(item(1));
    outbox.remove('c-1');
    expect(store.getItem(KEYS.outbox)).toBeNull();
  });

  it('ignores a damaged chat_outbox instead of failing', () => {
    const store = new MemoryStore();
    store.setItem(KEYS.outbox, '{not json');
    expect(new Outbox(store).items()).toEqual([]);
    store.setItem(KEYS.outbox, JSON.stringify([item(1), { body: 'no id' }, 42]));
    expect(new Outbox(store).items()).toEqual([item(1)]);
  });

  it('backs off 1 s, 2 s, 4 s… up to 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10].map(backoff)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
});

describe('widget outbox flusher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(answers: (item: OutboxItem, attempt: number) => SendOutcome, ready = () => true) {
    const outbox = new Outbox(new MemoryStore());
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
    const { outbox, flusher, sent } = setup((i) => (i.client_message_id === 'c-1' ? { kind: 'failed' } : { kind: 'ack' }));
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

import { describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../web/shared/key-value-store.js';
import { KEYS } from '../web/widget/app/storage.js';
import { session, useFakeServer } from './support/widget-fake-server.js';

describe('widget chat session: resume rules 1–6 (docs/api.md, "Session persistence")', () => {
  const world = useFakeServer();

  it('rule 1: the first message starts the conversation, later ones are sent to it in order', async () => {
    const { s, store, subscribed, shown } = session(world.server);
    await s.checkStored(() => true);
    s.write('Hello');
    s.write('Order 1042');
    expect(shown()).toEqual(['Hello:pending', 'Order 1042:pending']);
    await vi.runAllTimersAsync();
    expect(world.server.requests.filter((r) => r.startsWith('POST'))).toEqual(['POST /api/chat/start', 'POST /api/chat/1/messages']);
    expect(store.getItem(KEYS.conversationId)).toBe('1');
    expect(store.getItem(KEYS.token)).toBe('token-1');
    expect(store.getItem(KEYS.outbox)).toBeNull();
    expect(subscribed).toEqual([1]);
    expect(shown()).toEqual(['Hello:sent', 'Order 1042:sent']);
  });

  it('rule 2: a stored, resumable conversation is resumed with its transcript and logged', async () => {
    const { id, token } = world.server.create([{ sender: 'visitor', body: 'Hi' }, { sender: 'agent', body: 'Hello!' }]);
    const store = new MemoryStore();
    store.setItem(KEYS.conversationId, String(id));
    store.setItem(KEYS.token, token);
    const { s, logs, subscribed, shown } = session(world.server, store);
    expect(await s.checkStored(() => false)).toBe('resumed');
    expect(shown()).toEqual(['Hi:sent', 'Hello!:sent']);
    expect(logs).toEqual([['resumed', expect.objectContaining({ id, status: 'open', resumable: true })]]);
    expect(subscribed).toEqual([id]);
  });

  it('rule 3: a closed conversation is forgotten when the panel is closed, shown as ended when open', async () => {
    const { id, token } = world.server.create([{ sender: 'visitor', body: 'Bye' }]);
    world.server.conversations.get(id)!.status = 'closed';
    const stored = () => {
      const store = new MemoryStore();
      store.setItem(KEYS.conversationId, String(id));
      store.setItem(KEYS.token, token);
      return store;
    };
    const closedPanel = session(world.server, stored());
    expect(await closedPanel.s.checkStored(() => false)).toBe('forgotten');
    expect(closedPanel.store.getItem(KEYS.conversationId)).toBeNull();
    expect(closedPanel.s.state).toBe('none');

    const openPanel = session(world.server, stored());
    expect(await openPanel.s.checkStored(() => true)).toBe('closed');
    expect(openPanel.s.state).toBe('closed');
    expect(openPanel.shown()).toEqual(['Bye:sent']);
    openPanel.s.startOver();
    expect(openPanel.s.state).toBe('none');
    expect(openPanel.shown()).toEqual([]);
    expect(openPanel.store.getItem(KEYS.conversationId)).toBeNull();
  });

  it('rule 3: an idle conversation is forgotten and the next message starts a new one', async () => {
    const old = world.server.create([{ sender: 'visitor', body: 'Yesterday' }]);
    world.server.conversations.get(old.id)!.resumable = false;
    const store = new MemoryStore();
    store.setItem(KEYS.conversationId, String(old.id));
    store.setItem(KEYS.token, old.token);
    const { s } = session(world.server, store);
    expect(await s.checkStored(() => false)).toBe('forgotten');
    s.write('Today');
    await vi.runAllTimersAsync();
    expect(s.conversationId).not.toBe(old.id);
    expect(world.server.conversations.get(s.conversationId!)!.messages.map((m) => m.body)).toEqual(['Today']);
  });

  it('rule 5: a network match asks first; continuing shows only messages from the join on', async () => {
    const { id } = world.server.create([{ sender: 'visitor', body: 'My address is 12 Private Lane' }]);
    world.server.lookupAnswer = { match: 'network', resume_ticket: String(id) };
    const { s, shown, logs } = session(world.server);
    await s.lookup();
    expect(s.ticket).toBe(String(id));
    s.flusher.kick();
    expect(world.server.requests.some((r) => r.includes('/start'))).toBe(false);
    await s.answerPrompt(true);
    expect(s.conversationId).toBe(id);
    expect(shown().join()).not.toContain('Private Lane');
    expect(shown()).toEqual(['The visitor continued this conversation from another device on the same network.:sent']);
    expect(logs).toHaveLength(1);
  });

  it('rule 5: "Start new" starts a new conversation on the first message', async () => {
    world.server.lookupAnswer = { match: 'network', resume_ticket: '99' };
    const { s } = session(world.server);
    await s.lookup();
    await s.answerPrompt(false);
    s.write('A new question');
    await vi.runAllTimersAsync();
    expect(world.server.requests).toContain('POST /api/chat/start');
    expect(world.server.requests.some((r) => r.includes('/resume'))).toBe(false);
  });

  it('rule 6: a device match from lookup resumes with the whole transcript', async () => {
    const { id, token } = world.server.create([{ sender: 'visitor', body: 'From this very device' }]);
    world.server.lookupAnswer = { match: 'device', conversation: { id, status: 'open', last_seq: 1 }, visitor_token: token, messages: world.server.conversations.get(id)!.messages };
    const { s, shown, store } = session(world.server);
    await s.lookup();
    expect(s.conversationId).toBe(id);
    expect(store.getItem(KEYS.token)).toBe(token);
    expect(shown()).toEqual(['From this very device:sent']);
  });
});

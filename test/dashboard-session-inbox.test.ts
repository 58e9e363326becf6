import { describe, expect, it } from 'vitest';
import { openConversation } from '../web/dashboard/session/session-state.js';
import { conversation, until } from './support/dashboard-fakes.js';
import { settle, useDashboardWorld } from './support/dashboard-session-world.js';

const { w, newSession, connectedSession, sessionWithDesktopNotifications } = useDashboardWorld();

describe('dashboard session: inbox and catch-up', () => {
  it('loads the inbox and the open transcript on start, connects with the chat config and watches the open conversation', async () => {
    const session = newSession(1);
    const state = await until(session, (s) => s.inbox.has(1) && s.transcript?.loaded === true);
    expect(state.transcript?.messages.map((m) => m.body)).toEqual(['Hello?']);
    expect(w.link.config?.key).toBe('app-key');
    expect(w.link.watched).toEqual([1]);
  });

  it('reloads the inbox and catches the open transcript up on every private-agents subscription (events before it were not heard)', async () => {
    const session = newSession(1);
    await until(session, (s) => s.transcript?.loaded === true);
    w.link.handlers.state('connected');
    await settle();
    w.api.calls.length = 0;
    w.api.conversations_.set(2, conversation(2));
    w.api.add(1, 'Sent before the subscription');
    w.link.handlers.subscribed();
    const state = await until(session, (s) => s.inbox.has(2) && s.transcript?.messages.length === 2);
    expect(w.api.calls.filter((c) => !c.startsWith('read') && c !== 'team')).toEqual(['inbox open/any', 'conversation 1 after=1']);
    expect(state.transcript?.messages.map((m) => m.seq)).toEqual([1, 2]);

    w.link.handlers.subscribed();
    await settle();
    expect(w.api.calls.filter((c) => c.startsWith('inbox'))).toHaveLength(2);
  });

  it('also loads every open conversation when the filter shows fewer, for the unread count in the tab title', async () => {
    const session = newSession();
    await settle();
    w.api.calls.length = 0;
    session.setFilter({ status: 'closed', assigned: 'me' });
    await settle();
    expect(w.api.calls).toEqual(['inbox closed/me', 'inbox open/any']);
  });

  it('shows a conversation that does not exist as loaded and empty', async () => {
    const session = newSession(404);
    const state = await until(session, (s) => s.transcript?.loaded === true);
    expect(state.transcript?.messages).toEqual([]);
    expect(openConversation(state)).toBeUndefined();
  });
});

describe('dashboard session: realtime events', () => {
  it('merges a message into the open transcript once, and counts it unread only where the agent is not looking', async () => {
    w.api.conversations_.set(2, conversation(2));
    const session = newSession(1);
    await until(session, (s) => s.transcript?.loaded === true && s.inbox.has(2));
    w.link.up();
    const here = w.api.add(1, 'Still there?');
    w.link.handlers.agents.MessageSent({ message: here });
    w.link.handlers.agents.MessageSent({ message: here });
    const elsewhere = w.api.add(2, 'Hi from two');
    w.link.handlers.agents.MessageSent({ message: elsewhere });
    const state = session.state;
    expect(state.transcript?.messages.map((m) => m.body)).toEqual(['Hello?', 'Still there?']);
    expect(state.inbox.get(2)?.unread_count).toBe(1);
    expect(state.inbox.get(1)?.last_message?.body).toBe('Still there?');
  });

  it('catches up when a message arrives past a gap in seq', async () => {
    const session = await connectedSession(1);
    w.api.add(1, 'missed');
    const third = w.api.add(1, 'heard');
    w.api.calls.length = 0;
    w.link.handlers.agents.MessageSent({ message: third });
    const state = await until(session, (s) => s.transcript?.messages.length === 3);
    expect(w.api.calls).toContain('conversation 1 after=1');
    expect(state.transcript?.messages.map((m) => m.body)).toEqual(['Hello?', 'missed', 'heard']);
  });

  it('fetches the row of a conversation the inbox has not loaded when a message for it arrives', async () => {
    const session = newSession();
    await settle();
    w.api.conversations_.set(3, conversation(3));
    w.link.handlers.agents.MessageSent({ message: w.api.add(3, 'New here') });
    await until(session, (s) => s.inbox.has(3));
    expect(w.api.calls).toContain(`conversation 3 after=${Number.MAX_SAFE_INTEGER}`);
  });

  it('chimes for a visitor message, and notifies on the desktop when the agent is not viewing that conversation', async () => {
    await sessionWithDesktopNotifications();
    w.link.handlers.agents.MessageSent({ message: w.api.add(1, 'Anyone?') });
    expect(w.notifier.chimes).toBe(1);
    expect(w.notifier.desktops.map((d) => [d.title, d.body])).toEqual([['Message from Vera', 'Anyone?']]);
    w.notifier.desktops[0]?.onClick();
    expect(w.navigated).toEqual(['/stratus/conversations/1']);

    w.link.handlers.agents.ConversationStarted({ conversation: conversation(5) });
    expect(w.notifier.desktops.at(-1)?.title).toBe('New conversation');
    expect(w.notifier.desktops.at(-1)?.body).toBe('Visitor #5');
  });

  it('applies read receipts typed by the contract: a visitor read moves visitor_read_seq, an agent read clears unread', async () => {
    w.api.conversations_.set(2, conversation(2));
    w.api.add(2, 'one');
    const session = newSession();
    await until(session, (s) => s.inbox.get(2)?.unread_count === 1);
    w.link.handlers.agents.MessagesRead({ conversation_id: 2, reader: { type: 'visitor' }, seq: 1 });
    w.link.handlers.agents.MessagesRead({ conversation_id: 2, reader: { type: 'agent', id: 8, name: 'Bo' }, seq: 1 });
    expect(session.state.inbox.get(2)).toMatchObject({ visitor_read_seq: 1, agent_read_seq: 1, unread_count: 0 });
  });

  it('keeps the agents online from the presence roster', async () => {
    const session = newSession();
    await settle();
    w.link.handlers.presence([
      { id: 7, name: 'Ann' },
      { id: 8, name: 'Bo' },
    ]);
    expect(session.state.agentsOnline.map((a) => a.name)).toEqual(['Ann', 'Bo']);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DashboardSession } from '../web/dashboard/session/dashboard-session.js';
import { OUTBOX_KEY } from '../web/dashboard/session/reply-outbox.js';
import { isConnected, openConversation } from '../web/dashboard/session/session-state.js';
import { realClock } from '../web/shared/clock.js';
import { MemoryStore } from '../web/shared/key-value-store.js';
import { failureOf } from '../web/shared/api-result.js';
import { ANN, conversation, FakeAgentApi, FakeLink, FakeNotifier, FakePage, until } from './support/dashboard-fakes.js';

let api: FakeAgentApi;
let link: FakeLink;
let page: FakePage;
let notifier: FakeNotifier;
let tabStore: MemoryStore;
let settingsStore: MemoryStore;
let navigated: string[];
let sessions: DashboardSession[];

const newSession = (open: number | null = null) => {
  let n = 0;
  const session = new DashboardSession({
    agent: ANN,
    api,
    connect: link.connect,
    clock: realClock,
    tabStore,
    settingsStore,
    page,
    notifier,
    navigate: (path) => navigated.push(path),
    newId: () => `agent-${(n += 1)}`,
  });
  sessions.push(session);
  session.open(open);
  session.start();
  return session;
};

/** Lets every answered request land (the fake API answers at once). */
const settle = () => vi.advanceTimersByTimeAsync(0);

/** A session with the conversation open, live updates on, and every start-up request answered. */
const connectedSession = async (open: number) => {
  const session = newSession(open);
  await until(session, (s) => s.transcript?.loaded === true);
  link.up();
  await settle();
  return session;
};

beforeEach(() => {
  vi.useFakeTimers();
  api = new FakeAgentApi();
  link = new FakeLink();
  page = new FakePage();
  notifier = new FakeNotifier();
  tabStore = new MemoryStore();
  settingsStore = new MemoryStore();
  navigated = [];
  sessions = [];
  api.conversations_.set(1, conversation(1, { visitor_name: 'Vera' }));
  api.add(1, 'Hello?');
});

afterEach(() => {
  for (const session of sessions) session.stop();
  vi.useRealTimers();
});

describe('dashboard session: inbox and catch-up', () => {
  it('loads the inbox and the open transcript on start, connects with the chat config and watches the open conversation', async () => {
    const session = newSession(1);
    const state = await until(session, (s) => s.inbox.has(1) && s.transcript?.loaded === true);
    expect(state.transcript?.messages.map((m) => m.body)).toEqual(['Hello?']);
    expect(link.config?.key).toBe('app-key');
    expect(link.watched).toEqual([1]);
  });

  it('reloads the inbox and catches the open transcript up on every private-agents subscription (events before it were not heard)', async () => {
    const session = newSession(1);
    await until(session, (s) => s.transcript?.loaded === true);
    link.handlers.state('connected');
    await settle();
    api.calls.length = 0;
    api.conversations_.set(2, conversation(2));
    api.add(1, 'Sent before the subscription');
    link.handlers.subscribed();
    const state = await until(session, (s) => s.inbox.has(2) && s.transcript?.messages.length === 2);
    expect(api.calls.filter((c) => !c.startsWith('read'))).toEqual(['inbox open/any', 'conversation 1 after=1']);
    expect(state.transcript?.messages.map((m) => m.seq)).toEqual([1, 2]);

    link.handlers.subscribed();
    await settle();
    expect(api.calls.filter((c) => c.startsWith('inbox'))).toHaveLength(2);
  });

  it('also loads every open conversation when the filter shows fewer, for the unread count in the tab title', async () => {
    const session = newSession();
    await settle();
    api.calls.length = 0;
    session.setFilter({ status: 'closed', assigned: 'me' });
    await settle();
    expect(api.calls).toEqual(['inbox closed/me', 'inbox open/any']);
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
    api.conversations_.set(2, conversation(2));
    const session = newSession(1);
    await until(session, (s) => s.transcript?.loaded === true && s.inbox.has(2));
    link.up();
    const here = api.add(1, 'Still there?');
    link.handlers.agents.MessageSent({ message: here });
    link.handlers.agents.MessageSent({ message: here });
    const elsewhere = api.add(2, 'Hi from two');
    link.handlers.agents.MessageSent({ message: elsewhere });
    const state = session.state;
    expect(state.transcript?.messages.map((m) => m.body)).toEqual(['Hello?', 'Still there?']);
    expect(state.inbox.get(2)?.unread_count).toBe(1);
    expect(state.inbox.get(1)?.last_message?.body).toBe('Still there?');
  });

  it('catches up when a message arrives past a gap in seq', async () => {
    const session = await connectedSession(1);
    api.add(1, 'missed');
    const third = api.add(1, 'heard');
    api.calls.length = 0;
    link.handlers.agents.MessageSent({ message: third });
    const state = await until(session, (s) => s.transcript?.messages.length === 3);
    expect(api.calls).toContain('conversation 1 after=1');
    expect(state.transcript?.messages.map((m) => m.body)).toEqual(['Hello?', 'missed', 'heard']);
  });

  it('fetches the row of a conversation the inbox has not loaded when a message for it arrives', async () => {
    const session = newSession();
    await settle();
    api.conversations_.set(3, conversation(3));
    link.handlers.agents.MessageSent({ message: api.add(3, 'New here') });
    await until(session, (s) => s.inbox.has(3));
    expect(api.calls).toContain(`conversation 3 after=${Number.MAX_SAFE_INTEGER}`);
  });

  it('chimes for a visitor message, and notifies on the desktop when the agent is not viewing that conversation', async () => {
    await sessionWithDesktopNotifications();
    link.handlers.agents.MessageSent({ message: api.add(1, 'Anyone?') });
    expect(notifier.chimes).toBe(1);
    expect(notifier.desktops.map((d) => [d.title, d.body])).toEqual([['Message from Vera', 'Anyone?']]);
    notifier.desktops[0]?.onClick();
    expect(navigated).toEqual(['/stratus/conversations/1']);

    link.handlers.agents.ConversationStarted({ conversation: conversation(5) });
    expect(notifier.desktops.at(-1)?.title).toBe('New conversation');
    expect(notifier.desktops.at(-1)?.body).toBe('Visitor #5');
  });

  it('applies read receipts typed by the contract: a visitor read moves visitor_read_seq, an agent read clears unread', async () => {
    api.conversations_.set(2, conversation(2));
    api.add(2, 'one');
    const session = newSession();
    await until(session, (s) => s.inbox.get(2)?.unread_count === 1);
    link.handlers.agents.MessagesRead({ conversation_id: 2, reader: { type: 'visitor' }, seq: 1 });
    link.handlers.agents.MessagesRead({ conversation_id: 2, reader: { type: 'agent', id: 8, name: 'Bo' }, seq: 1 });
    expect(session.state.inbox.get(2)).toMatchObject({ visitor_read_seq: 1, agent_read_seq: 1, unread_count: 0 });
  });

  it('keeps the agents online from the presence roster', async () => {
    const session = newSession();
    await settle();
    link.handlers.presence([
      { id: 7, name: 'Ann' },
      { id: 8, name: 'Bo' },
    ]);
    expect(session.state.agentsOnline.map((a) => a.name)).toEqual(['Ann', 'Bo']);
  });
});

async function sessionWithDesktopNotifications() {
  settingsStore.setItem('parley.notify', JSON.stringify({ sound: true, desktop: true }));
  const session = newSession();
  await until(session, (s) => s.inbox.has(1));
  return session;
}

describe('dashboard session: polling without live updates', () => {
  it('polls the open transcript every 3 s and the inbox every 10 s until connected, then catches up once', async () => {
    const session = newSession(1);
    await settle();
    api.calls.length = 0;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.calls.filter((c) => c === 'conversation 1 after=1')).toHaveLength(3);
    expect(api.calls.filter((c) => c === 'inbox open/any')).toHaveLength(1);

    api.calls.length = 0;
    link.handlers.state('connected');
    await settle();
    expect(api.calls.sort()).toEqual(['conversation 1 after=1', 'inbox open/any']);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(api.calls).toHaveLength(2);
    expect(isConnected(session.state)).toBe(true);
  });

  it('counts as disconnected as soon as the browser goes offline, and polls', async () => {
    const session = await connectedSession(1);
    page.handlers?.network(false);
    expect(isConnected(session.state)).toBe(false);
    api.calls.length = 0;
    await vi.advanceTimersByTimeAsync(3000);
    expect(api.calls).toEqual(['conversation 1 after=1']);
  });

  it('polls from the start when there is no realtime server', async () => {
    api.config = { ...api.config, broadcaster: null, key: null };
    link.connect = (_config, handlers) => {
      handlers.state('polling');
      return link;
    };
    const session = newSession();
    await until(session, (s) => s.link === 'polling');
    expect(isConnected(session.state)).toBe(false);
  });

  it('catches the open transcript up when the window gets focus or the tab is shown', async () => {
    const session = await connectedSession(1);
    api.calls.length = 0;
    page.handlers?.focus();
    page.handlers?.visibility(true);
    await settle();
    expect(api.calls).toEqual(['conversation 1 after=1', 'conversation 1 after=1']);
    expect(session.state.visible).toBe(true);
  });
});

describe('dashboard session: read receipts', () => {
  it('marks the open, visible conversation read up to the last seq held, once', async () => {
    api.conversations_.set(1, { ...api.conversations_.get(1)!, unread_count: 1 });
    const session = newSession(1);
    const state = await until(session, (s) => s.inbox.get(1)?.agent_read_seq === 1);
    expect(state.inbox.get(1)?.unread_count).toBe(0);
    await settle();
    expect(api.calls.filter((c) => c.startsWith('read'))).toEqual(['read 1 1']);
  });

  it('waits while the tab is hidden and sends when it is shown', async () => {
    page.shown = false;
    api.conversations_.set(1, { ...api.conversations_.get(1)!, unread_count: 1 });
    const session = newSession(1);
    await until(session, (s) => s.transcript?.loaded === true && s.inbox.has(1));
    expect(api.calls.filter((c) => c.startsWith('read'))).toEqual([]);
    page.handlers?.visibility(true);
    await settle();
    expect(api.calls.filter((c) => c.startsWith('read'))).toEqual(['read 1 1']);
  });
});

describe('dashboard session: the reply outbox', () => {
  it('shows a reply as pending until the server acknowledges it, then as a message of the transcript', async () => {
    const session = newSession(1);
    await until(session, (s) => s.transcript?.loaded === true);
    session.input('Hi there');
    session.send();
    expect(session.state.draft).toBe('');
    expect(session.state.pending.map((p) => [p.body, p.failed])).toEqual([['Hi there', false]]);
    const state = await until(session, (s) => s.pending.length === 0);
    expect(state.transcript?.messages.filter((m) => m.body === 'Hi there')).toHaveLength(1);
    expect(tabStore.getItem(OUTBOX_KEY)).toBeNull();
  });

  it('retries with back-off while the server cannot be reached, and sends once it can', async () => {
    const session = newSession(1);
    await settle();
    api.down = true;
    session.input('Are you there?');
    session.send();
    await vi.advanceTimersByTimeAsync(3000);
    expect(api.calls.filter((c) => c.startsWith('reply'))).toHaveLength(3);
    api.down = false;
    await vi.advanceTimersByTimeAsync(4000);
    expect(session.state.transcript?.messages.filter((m) => m.body === 'Are you there?')).toHaveLength(1);
    expect(api.messages.get(1)?.filter((m) => m.body === 'Are you there?')).toHaveLength(1);
  });

  it('refuses a reply to a closed conversation with a reason, and sends it again on Retry', async () => {
    const session = newSession(1);
    await settle();
    api.replyAnswers.push(failureOf(409, { error: { code: 'conversation_closed', message: 'Closed.' } }));
    session.input('Too late?');
    session.send();
    const refused = await until(session, (s) => s.pending[0]?.failed === true);
    expect(refused.error).toBe('Not sent: the conversation is closed. Reopen it to reply.');
    session.retry(refused.pending[0]!.client_message_id);
    expect(session.state.error).toBe('');
    await until(session, (s) => s.transcript?.messages.some((m) => m.body === 'Too late?') === true);
  });

  it("does not let one conversation's refused reply hold up another's", async () => {
    api.conversations_.set(2, conversation(2));
    const session = newSession(1);
    await settle();
    api.replyAnswers.push(failureOf(422, { error: { code: 'validation_failed', message: 'Too long.' } }));
    session.input('first');
    session.send();
    session.open(2);
    session.input('second');
    session.send();
    await until(session, (s) => s.transcript?.messages.some((m) => m.body === 'second') === true);
    session.open(1);
    expect(session.state.pending.map((p) => [p.body, p.failed])).toEqual([['first', true]]);
  });

  it('sends replies left in the tab from before (a reload, a new login)', async () => {
    tabStore.setItem(OUTBOX_KEY, JSON.stringify([{ client_message_id: 'agent-old', conversation_id: 1, body: 'Written before the reload' }]));
    const session = newSession(1);
    await until(session, (s) => s.transcript?.messages.some((m) => m.client_message_id === 'agent-old') === true);
    expect(tabStore.getItem(OUTBOX_KEY)).toBeNull();
  });

  it('keeps a reply queued when the session ended (401), for the next login to send', async () => {
    const session = newSession(1);
    await settle();
    api.replyAnswers.push(failureOf(401, { error: { code: 'unauthenticated', message: 'Log in.' } }));
    session.input('After expiry');
    session.send();
    await settle();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(api.calls.filter((c) => c.startsWith('reply'))).toHaveLength(1);
    expect(JSON.parse(tabStore.getItem(OUTBOX_KEY) ?? '[]')).toMatchObject([{ body: 'After expiry' }]);
    session.stop();

    const next = newSession(1);
    await until(next, (s) => s.transcript?.messages.some((m) => m.body === 'After expiry') === true);
  });

  it('keeps a draft per conversation across a new session', async () => {
    api.conversations_.set(2, conversation(2));
    const session = newSession(1);
    session.input('half a thought');
    session.open(2);
    expect(session.state.draft).toBe('');
    session.stop();
    expect(newSession(1).state.draft).toBe('half a thought');
  });
});

describe('dashboard session: typing', () => {
  it('whispers "typing" at most every 2 s while the agent types, and "stopped" after 3 s without a key', async () => {
    const session = newSession(1);
    await settle();
    session.input('H');
    session.input('He');
    await vi.advanceTimersByTimeAsync(2500);
    session.input('Hel');
    expect(link.whispers).toEqual([
      { typing: true, name: 'Ann', from: 'agent' },
      { typing: true, name: 'Ann', from: 'agent' },
    ]);
    await vi.advanceTimersByTimeAsync(3000);
    expect(link.whispers.at(-1)).toEqual({ typing: false, name: 'Ann', from: 'agent' });
  });

  it('shows the visitor typing for 6 s, another agent by name, and never the agent themself', async () => {
    const session = newSession(1);
    await settle();
    link.handlers.typing({ typing: true, from: 'visitor' });
    link.handlers.typing({ typing: true, name: 'Ann', from: 'agent' });
    link.handlers.typing({ typing: true, name: 'Bo', from: 'agent' });
    expect([session.state.visitorTyping, session.state.agentTyping]).toEqual([true, 'Bo']);
    await vi.advanceTimersByTimeAsync(6000);
    expect([session.state.visitorTyping, session.state.agentTyping]).toEqual([false, '']);
  });

  it('stops showing "Visitor is typing" when the visitor\'s message arrives', async () => {
    const session = newSession(1);
    await settle();
    link.handlers.typing({ typing: true, from: 'visitor' });
    link.handlers.agents.MessageSent({ message: api.add(1, 'Done typing') });
    expect(session.state.visitorTyping).toBe(false);
  });
});

describe('dashboard session: actions and lifetime', () => {
  it('closes the open conversation and shows the new status', async () => {
    const session = newSession(1);
    await until(session, (s) => s.inbox.has(1));
    await session.act('close');
    expect(openConversation(session.state)?.status).toBe('closed');
    expect(session.state.busy).toBe(false);
  });

  it('asks the browser before switching desktop notifications on, and remembers the answer', async () => {
    const session = newSession();
    notifier.permission = false;
    await session.setNotify({ sound: false, desktop: true });
    expect(session.state.notify).toEqual({ sound: false, desktop: false });
    expect(JSON.parse(settingsStore.getItem('parley.notify') ?? '{}')).toEqual({ sound: false, desktop: false });
  });

  it('logs out: the API is told, the link closes, and no timer polls any more', async () => {
    const session = newSession(1);
    await settle();
    await session.logout();
    expect(link.disconnected).toBe(true);
    api.calls.length = 0;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(api.calls).toEqual([]);
  });
});

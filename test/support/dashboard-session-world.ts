import { afterEach, beforeEach, vi } from 'vitest';
import { DashboardSession } from '../../web/dashboard/session/dashboard-session.js';
import { realClock } from '../../web/shared/clock.js';
import { MemoryStore } from '../../web/shared/key-value-store.js';
import { ANN, conversation, FakeAgentApi, FakeLink, FakeNotifier, FakePage, until } from './dashboard-fakes.js';

/** What a dashboard session talks to, new for each test. */
export interface DashboardWorld {
  api: FakeAgentApi;
  link: FakeLink;
  page: FakePage;
  notifier: FakeNotifier;
  tabStore: MemoryStore;
  settingsStore: MemoryStore;
  navigated: string[];
  sessions: DashboardSession[];
}

/** Lets every answered request land (the fake API answers at once). */
export const settle = () => vi.advanceTimersByTimeAsync(0);

/**
 * Fake timers and a fresh world for each test (conversation 1 from Vera with one message), and
 * every session started in it stopped afterwards.
 */
export function useDashboardWorld() {
  const w = {} as DashboardWorld;

  beforeEach(() => {
    vi.useFakeTimers();
    w.api = new FakeAgentApi();
    w.link = new FakeLink();
    w.page = new FakePage();
    w.notifier = new FakeNotifier();
    w.tabStore = new MemoryStore();
    w.settingsStore = new MemoryStore();
    w.navigated = [];
    w.sessions = [];
    w.api.conversations_.set(1, conversation(1, { visitor_name: 'Vera' }));
    w.api.add(1, 'Hello?');
  });
  afterEach(() => {
    for (const session of w.sessions) session.stop();
    vi.useRealTimers();
  });

  /** A started session for agent Ann, with conversation `open` open. */
  const newSession = (open: number | null = null) => {
    let n = 0;
    const session = new DashboardSession({
      agent: ANN,
      api: w.api,
      connect: w.link.connect,
      clock: realClock,
      tabStore: w.tabStore,
      settingsStore: w.settingsStore,
      page: w.page,
      notifier: w.notifier,
      navigate: (path) => w.navigated.push(path),
      newId: () => `agent-${(n += 1)}`,
    });
    w.sessions.push(session);
    session.open(open);
    session.start();
    return session;
  };

  return {
    w,
    newSession,
    /** A session with the conversation open, live updates on, and every start-up request answered. */
    connectedSession: async (open: number) => {
      const session = newSession(open);
      await until(session, (s) => s.transcript?.loaded === true);
      w.link.up();
      await settle();
      return session;
    },
    /** A session with sound and desktop notifications on, its inbox loaded. */
    sessionWithDesktopNotifications: async () => {
      w.settingsStore.setItem('parley.notify', JSON.stringify({ sound: true, desktop: true }));
      const session = newSession();
      await until(session, (s) => s.inbox.has(1));
      return session;
    },
  };
}

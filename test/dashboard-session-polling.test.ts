import { describe, expect, it, vi } from 'vitest';
import { isConnected } from '../web/dashboard/session/session-state.js';
import { until } from './support/dashboard-fakes.js';
import { settle, useDashboardWorld } from './support/dashboard-session-world.js';

const { w, newSession, connectedSession } = useDashboardWorld();

describe('dashboard session: polling without live updates', () => {
  it('polls the open transcript every 3 s and the inbox every 10 s until connected, then catches up once', async () => {
    const session = newSession(1);
    await settle();
    w.api.calls.length = 0;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(w.api.calls.filter((c) => c === 'conversation 1 after=1')).toHaveLength(3);
    expect(w.api.calls.filter((c) => c === 'inbox open/any')).toHaveLength(1);

    w.api.calls.length = 0;
    w.link.handlers.state('connected');
    await settle();
    expect(w.api.calls.sort()).toEqual(['conversation 1 after=1', 'inbox open/any']);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(w.api.calls).toHaveLength(2);
    expect(isConnected(session.state)).toBe(true);
  });

  it('counts as disconnected as soon as the browser goes offline, and polls', async () => {
    const session = await connectedSession(1);
    w.page.handlers?.network(false);
    expect(isConnected(session.state)).toBe(false);
    w.api.calls.length = 0;
    await vi.advanceTimersByTimeAsync(3000);
    expect(w.api.calls).toEqual(['conversation 1 after=1']);
  });

  it('polls from the start when there is no realtime server', async () => {
    w.api.config = { ...w.api.config, broadcaster: null, key: null };
    w.link.connect = (_config, handlers) => {
      handlers.state('polling');
      return w.link;
    };
    const session = newSession();
    await until(session, (s) => s.link === 'polling');
    expect(isConnected(session.state)).toBe(false);
  });

  it('catches the open transcript up when the window gets focus or the tab is shown', async () => {
    const session = await connectedSession(1);
    w.api.calls.length = 0;
    w.page.handlers?.focus();
    w.page.handlers?.visibility(true);
    await settle();
    expect(w.api.calls).toEqual(['conversation 1 after=1', 'conversation 1 after=1']);
    expect(session.state.visible).toBe(true);
  });
});

describe('dashboard session: read receipts', () => {
  it('marks the open, visible conversation read up to the last seq held, once', async () => {
    w.api.conversations_.set(1, { ...w.api.conversations_.get(1)!, unread_count: 1 });
    const session = newSession(1);
    const state = await until(session, (s) => s.inbox.get(1)?.agent_read_seq === 1);
    expect(state.inbox.get(1)?.unread_count).toBe(0);
    await settle();
    expect(w.api.calls.filter((c) => c.startsWith('read'))).toEqual(['read 1 1']);
  });

  it('waits while the tab is hidden and sends when it is shown', async () => {
    w.page.shown = false;
    w.api.conversations_.set(1, { ...w.api.conversations_.get(1)!, unread_count: 1 });
    const session = newSession(1);
    await until(session, (s) => s.transcript?.loaded === true && s.inbox.has(1));
    expect(w.api.calls.filter((c) => c.startsWith('read'))).toEqual([]);
    w.page.handlers?.visibility(true);
    await settle();
    expect(w.api.calls.filter((c) => c.startsWith('read'))).toEqual(['read 1 1']);
  });
});

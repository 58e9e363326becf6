import { describe, expect, it, vi } from 'vitest';
import { openConversation } from '../web/dashboard/session/session-state.js';
import { until } from './support/dashboard-fakes.js';
import { settle, useDashboardWorld } from './support/dashboard-session-world.js';

const { w, newSession } = useDashboardWorld();

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
    w.notifier.permission = false;
    await session.setNotify({ sound: false, desktop: true });
    expect(session.state.notify).toEqual({ sound: false, desktop: false });
    expect(JSON.parse(w.settingsStore.getItem('parley.notify') ?? '{}')).toEqual({ sound: false, desktop: false });
  });

  it('logs out: the API is told, the link closes, and no timer polls any more', async () => {
    const session = newSession(1);
    await settle();
    await session.logout();
    expect(w.link.disconnected).toBe(true);
    w.api.calls.length = 0;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(w.api.calls).toEqual([]);
  });
});

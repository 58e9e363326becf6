import { describe, expect, it, vi } from 'vitest';
import { settle, useDashboardWorld } from './support/dashboard-session-world.js';

const { w, newSession } = useDashboardWorld();

describe('dashboard session: typing', () => {
  it('whispers "typing" at most every 2 s while the agent types, and "stopped" after 3 s without a key', async () => {
    const session = newSession(1);
    await settle();
    session.input('H');
    session.input('He');
    await vi.advanceTimersByTimeAsync(2500);
    session.input('Hel');
    expect(w.link.whispers).toEqual([
      { typing: true, name: 'Ann', from: 'agent' },
      { typing: true, name: 'Ann', from: 'agent' },
    ]);
    await vi.advanceTimersByTimeAsync(3000);
    expect(w.link.whispers.at(-1)).toEqual({ typing: false, name: 'Ann', from: 'agent' });
  });

  it('shows the visitor typing for 6 s, another agent by name, and never the agent themself', async () => {
    const session = newSession(1);
    await settle();
    w.link.handlers.typing({ typing: true, from: 'visitor' });
    w.link.handlers.typing({ typing: true, name: 'Ann', from: 'agent' });
    w.link.handlers.typing({ typing: true, name: 'Bo', from: 'agent' });
    expect([session.state.visitorTyping, session.state.agentTyping]).toEqual([true, 'Bo']);
    await vi.advanceTimersByTimeAsync(6000);
    expect([session.state.visitorTyping, session.state.agentTyping]).toEqual([false, '']);
  });

  it('stops showing "Visitor is typing" when the visitor\'s message arrives', async () => {
    const session = newSession(1);
    await settle();
    w.link.handlers.typing({ typing: true, from: 'visitor' });
    w.link.handlers.agents.MessageSent({ message: w.api.add(1, 'Done typing') });
    expect(session.state.visitorTyping).toBe(false);
  });
});

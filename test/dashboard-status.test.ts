import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DashboardSession } from '../web/dashboard/session/dashboard-session.js';
import { realClock } from '../web/shared/clock.js';
import { MemoryStore } from '../web/shared/key-value-store.js';
import { failureOf, type ApiResult } from '../web/shared/api-result.js';
import type { Agent, AgentStatus } from '../web/dashboard/types.js';
import { ANN, FakeAgentApi, FakeLink, FakeNotifier, FakePage, until } from './support/dashboard-fakes.js';

/** The agent's own status switch and the other agents' statuses in the presence list (docs/dashboard.md, "Your status"). */

let api: FakeAgentApi;
let link: FakeLink;
let sessions: DashboardSession[];

const newSession = (agent: Agent = ANN) => {
  const session = new DashboardSession({
    agent,
    api,
    connect: link.connect,
    clock: realClock,
    tabStore: new MemoryStore(),
    settingsStore: new MemoryStore(),
    page: new FakePage(),
    notifier: new FakeNotifier(),
    navigate: () => undefined,
    newId: () => 'agent-1',
  });
  sessions.push(session);
  session.start();
  return session;
};

const settle = () => vi.advanceTimersByTimeAsync(0);
const shown = (session: DashboardSession) => session.state.agentsOnline.map((a) => `${a.name}: ${a.status}`);

beforeEach(() => {
  vi.useFakeTimers();
  api = new FakeAgentApi();
  link = new FakeLink();
  sessions = [];
});

afterEach(() => {
  for (const session of sessions) session.stop();
  vi.useRealTimers();
});

describe('dashboard session: the agent\'s own status', () => {
  it('starts with the status GET /api/agent/me reported', async () => {
    const session = newSession({ ...ANN, status: 'away' });
    await settle();
    expect(session.state.status).toBe('away');
  });

  it('shows a switch to Away at once and keeps it once the server accepts it', async () => {
    const session = newSession();
    await settle();
    const switched = session.setStatus('away');
    expect(session.state.status).toBe('away');
    await switched;
    expect(api.calls).toContain('status away');
    expect(session.state).toMatchObject({ status: 'away', statusError: '' });
  });

  it('sends nothing when the status chosen is the one held', async () => {
    const session = newSession();
    await settle();
    await session.setStatus('online');
    expect(api.calls.filter((c) => c.startsWith('status'))).toEqual([]);
  });

  it('puts the status back and says why when the server refuses the switch', async () => {
    const session = newSession();
    await settle();
    api.statusAnswers.push(failureOf(422, { error: { code: 'validation_failed', message: 'The request is invalid.' } }));
    await session.setStatus('away');
    expect(session.state).toMatchObject({ status: 'online', statusError: 'Your status is still online: The request is invalid.' });

    await session.setStatus('away');
    expect(session.state).toMatchObject({ status: 'away', statusError: '' });
  });

  it('lets a late answer to an earlier switch not undo a later one', async () => {
    // Each switch is answered only when the test says, with the status it asked for.
    const answers: (() => void)[] = [];
    api.setStatus = (status: AgentStatus) =>
      new Promise<ApiResult<{ agent: Agent }>>((resolve) => answers.push(() => resolve({ ok: true, status: 200, data: { agent: { ...ANN, status } } })));
    const session = newSession();
    await settle();
    const first = session.setStatus('away');
    const second = session.setStatus('online');
    answers[1]?.();
    await second;
    answers[0]?.();
    await first;
    expect(session.state.status).toBe('online');
  });

  it('follows a switch made in another tab of the same agent', async () => {
    const session = newSession();
    await settle();
    link.handlers.agents.AgentStatusChanged({ agent_id: ANN.id, status: 'away' });
    expect(session.state.status).toBe('away');
  });
});

describe("dashboard session: other agents' statuses", () => {
  it('lists each agent of the presence roster as online unless the roster or a live event says away', async () => {
    const session = newSession();
    await settle();
    link.handlers.presence([
      { id: 7, name: 'Ann' },
      { id: 8, name: 'Bo', status: 'away' },
      { id: 9, name: 'Cy' },
    ]);
    expect(shown(session)).toEqual(['Ann: online', 'Bo: away', 'Cy: online']);

    link.handlers.agents.AgentStatusChanged({ agent_id: 9, status: 'away' });
    expect(shown(session)).toEqual(['Ann: online', 'Bo: away', 'Cy: away']);
  });

  it('keeps a status heard live when the roster is listed again with the older user_info', async () => {
    const session = newSession();
    await settle();
    link.handlers.presence([{ id: 8, name: 'Bo', status: 'online' }]);
    link.handlers.agents.AgentStatusChanged({ agent_id: 8, status: 'away' });
    link.handlers.presence([
      { id: 8, name: 'Bo', status: 'online' },
      { id: 9, name: 'Cy' },
    ]);
    expect(shown(session)).toEqual(['Bo: away', 'Cy: online']);
  });

  it("asks for the team's statuses at start and on each subscription, over the roster's older user_info", async () => {
    api.team_ = [ANN, { ...ANN, id: 8, name: 'Bo', status: 'away' }, { ...ANN, id: 9, name: 'Cy' }];
    const session = newSession();
    await settle();
    link.handlers.presence([
      { id: 8, name: 'Bo', status: 'online' },
      { id: 9, name: 'Cy' },
    ]);
    expect(shown(session)).toEqual(['Bo: away', 'Cy: online']);

    api.team_ = [ANN, { ...ANN, id: 8, name: 'Bo', status: 'online' }, { ...ANN, id: 9, name: 'Cy', status: 'away' }];
    link.handlers.agents.AgentStatusChanged({ agent_id: 8, status: 'away' });
    link.up();
    await settle();
    expect(shown(session), 'a status heard live is newer than any list').toEqual(['Bo: away', 'Cy: away']);
    expect(api.calls.filter((c) => c === 'team')).toHaveLength(2);
  });

  it("reads the team's statuses on an admin's dashboard the same way, never the admin-only agents list", async () => {
    const admin: Agent = { ...ANN, id: 1, name: 'Ada', role: 'admin' };
    api.team_ = [admin, { ...ANN, id: 8, name: 'Bo', status: 'away' }];
    const session = newSession(admin);
    await settle();
    link.handlers.presence([{ id: 8, name: 'Bo', status: 'online' }]);
    expect(shown(session)).toEqual(['Bo: away']);
    expect(api.calls).toContain('team');
    expect(api.calls).not.toContain('agents');
  });

  it("shows the agent's own entry with the status switched here", async () => {
    const session = newSession();
    await settle();
    link.handlers.presence([{ id: ANN.id, name: 'Ann' }]);
    await session.setStatus('away');
    const state = await until(session, (s) => s.agentsOnline[0]?.status === 'away');
    expect(state.agentsOnline).toEqual([{ id: ANN.id, name: 'Ann', status: 'away' }]);
  });
});

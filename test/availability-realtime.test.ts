import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentStatusPayload, AvailabilityPayload } from '../src/chat/realtime-contract.js';
import { cookieAuthorizer, listeningParley, type PusherClients, type TestClient } from './support/pusher-clients.js';
import type { Harness } from './support/harness.js';

type Session = Awaited<ReturnType<Harness['loginAs']>>;

/**
 * Availability with the embedded realtime server (docs/api.md, "Availability"): an agent counts
 * when in the presence-agents roster and online; status changes reach the widget on chat-status
 * and the other agents on private-agents, over real WebSockets.
 */
describe('availability on the embedded realtime server', () => {
  let h: Harness;
  let port: number;
  let clients: PusherClients;
  let admin: Session;

  beforeEach(async () => {
    ({ h, port, clients } = await listeningParley());
    admin = await h.loginAs();
  });
  afterEach(async () => {
    clients?.closeAll();
    await h?.close();
  });

  const agentClient = (session: Session): Promise<TestClient> =>
    clients.connect({ channelAuthorization: { customHandler: cookieAuthorizer(`http://127.0.0.1:${port}`, session.cookie) } });
  const setStatus = async (status: 'online' | 'away') => {
    const res = await h.request({ method: 'PATCH', url: '/api/agent/me', json: { status }, headers: admin.headers });
    expect(res.statusCode, res.body).toBe(200);
  };
  const config = async () => (await h.request({ method: 'GET', url: '/api/chat/config' })).json<AvailabilityPayload>();

  it('counts a connected agent who is away in agents_online but not as available, and announces each switch', async () => {
    await setStatus('away');
    const widget = await clients.connect();
    await widget.subscribe('chat-status');
    const joined = widget.nextEvent<AvailabilityPayload>('chat-status', 'AvailabilityChanged');
    const agent = await agentClient(admin);
    await agent.subscribe('presence-agents');
    expect(await joined).toEqual({ agents_online: 1, available: false, next_available_at: null });
    expect(await config()).toMatchObject({ agents_online: 1, available: false });

    const back = widget.nextEvent<AvailabilityPayload>('chat-status', 'AvailabilityChanged');
    await setStatus('online');
    expect(await back).toEqual({ agents_online: 1, available: true, next_available_at: null });
    expect(await config()).toMatchObject({ agents_online: 1, available: true });
  });

  it('tells the other agents on private-agents when an agent switches status', async () => {
    const adminId = (await h.request({ method: 'GET', url: '/api/agent/me', headers: admin.headers })).json<{ agent: { id: number } }>().agent.id;
    const watcher = await agentClient(admin);
    await watcher.subscribe('private-agents');
    const changed = watcher.nextEvent<AgentStatusPayload>('private-agents', 'AgentStatusChanged');
    await setStatus('away');
    expect(await changed).toEqual({ agent_id: adminId, status: 'away' });
  });
});

import { describe, expect, it } from 'vitest';
import type { AgentStatusPayload, AvailabilityPayload } from '../src/chat/realtime-contract.js';
import { useListeningParley } from './support/pusher-clients.js';

/**
 * Availability with the embedded realtime server (docs/api.md, "Availability"): an agent counts
 * when in the presence-agents roster and online; status changes reach the widget on chat-status
 * and the other agents on private-agents, over real WebSockets.
 */
describe('availability on the embedded realtime server', () => {
  const p = useListeningParley();
  const { agentClient } = p;
  const setStatus = async (status: 'online' | 'away') => {
    const res = await p.h.request({ method: 'PATCH', url: '/api/agent/me', json: { status }, headers: p.admin.headers });
    expect(res.statusCode, res.body).toBe(200);
  };
  const config = async () => (await p.h.request({ method: 'GET', url: '/api/chat/config' })).json<AvailabilityPayload>();

  it('counts a connected agent who is away in agents_online but not as available, and announces each switch', async () => {
    await setStatus('away');
    const widget = await p.clients.connect();
    await widget.subscribe('chat-status');
    const joined = widget.nextEvent<AvailabilityPayload>('chat-status', 'AvailabilityChanged');
    const agent = await agentClient(p.admin);
    await agent.subscribe('presence-agents');
    expect(await joined).toEqual({ agents_online: 1, available: false, next_available_at: null });
    expect(await config()).toMatchObject({ agents_online: 1, available: false });

    const back = widget.nextEvent<AvailabilityPayload>('chat-status', 'AvailabilityChanged');
    await setStatus('online');
    expect(await back).toEqual({ agents_online: 1, available: true, next_available_at: null });
    expect(await config()).toMatchObject({ agents_online: 1, available: true });
  });

  it('tells the other agents on private-agents when an agent switches status', async () => {
    const adminId = (await p.h.request({ method: 'GET', url: '/api/agent/me', headers: p.admin.headers })).json<{ agent: { id: number } }>().agent.id;
    const watcher = await agentClient(p.admin);
    await watcher.subscribe('private-agents');
    const changed = watcher.nextEvent<AgentStatusPayload>('private-agents', 'AgentStatusChanged');
    await setStatus('away');
    expect(await changed).toEqual({ agent_id: adminId, status: 'away' });
  });
});

import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedRealtime, type EmbeddedNode } from '../src/broadcasting/embedded-realtime.js';
import { RecordingBroadcaster } from '../src/broadcasting/null-broadcaster.js';
import { ONLINE_WINDOW_MS, PusherHttpRealtime } from '../src/broadcasting/pusher-http-realtime.js';
import { chatRealtimeFor } from '../src/compose/chat-realtime-for.js';
import { DEFAULT_APP_LIMITS } from '../src/realtime/apps.js';
import type { ChannelEvent } from '../src/realtime/server/channel-manager.js';
import { ManualClock } from '../src/time/clock.js';
import { startHarness, TEST_SECRETS, testConfig, type Harness } from './support/harness.js';

const SIGNING = { key: 'k', secret: 's', signsSender: false };

/** A log that keeps each line, to see what a background failure left behind. */
function capturedLog(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: pino({ level: 'error' }, { write: (line: string) => lines.push(line) }), lines };
}

/** The node as the embedded implementation sees it, with a roster size set by the test and channel events sent by hand. */
function fakeNode(): EmbeddedNode & { users: number; emit(event: ChannelEvent): void; triggered: unknown[]; ended: unknown[]; tagged: unknown[]; failEnding?: boolean } {
  const listeners: ((event: ChannelEvent) => void)[] = [];
  const node = {
    app: { ...DEFAULT_APP_LIMITS, id: '1', key: 'app-key', secret: 'app-secret', allowedOrigins: '*' as const, webhooks: [] },
    users: 0,
    triggered: [] as unknown[],
    ended: [] as unknown[],
    tagged: [] as unknown[],
    failEnding: false,
    emit: (event: ChannelEvent) => listeners.forEach((listener) => listener(event)),
    trigger: async (channels: string[], event: string, data: string) => void node.triggered.push({ channels, event, data: JSON.parse(data) as unknown }),
    userCount: async () => node.users,
    userIds: async () => Array.from({ length: node.users }, (_, i) => String(i + 1)),
    onChannelEvent: (listener: (event: ChannelEvent) => void) => void listeners.push(listener),
    authorised: async (socketId: string, by: string, session: string) => void node.tagged.push({ socketId, by, session }),
    terminateAuthorisedBy: async (by: string, exceptSession?: string) => {
      if (node.failEnding) throw new Error('bus down');
      node.ended.push({ by, exceptSession });
    },
  };
  return node;
}

describe('the embedded realtime service', () => {
  it('publishes each chat event in-process on the channels of the contract', async () => {
    const node = fakeNode();
    await new EmbeddedRealtime(node, pino({ level: 'silent' })).publish({ name: 'AvailabilityChanged', agentsOnline: 2, available: true, nextAvailableAt: null });
    expect(node.triggered).toEqual([{ channels: ['chat-status'], event: 'AvailabilityChanged', data: { agents_online: 2, available: true, next_available_at: null } }]);
  });

  it("signs with the node's app and the sender's channel_data", () => {
    expect(new EmbeddedRealtime(fakeNode(), pino({ level: 'silent' })).signing).toEqual({ key: 'app-key', secret: 'app-secret', signsSender: true });
  });

  it('counts agents online from the presence-agents roster', async () => {
    const node = fakeNode();
    node.users = 3;
    expect(await new EmbeddedRealtime(node, pino({ level: 'silent' })).agentsOnline()).toBe(3);
  });

  it('names the connected agents by the user ids of the presence-agents roster', async () => {
    const node = fakeNode();
    node.users = 2;
    expect(await new EmbeddedRealtime(node, pino({ level: 'silent' })).connectedAgentIds()).toEqual([1, 2]);
  });

  it('reports availability on presence-agents joins and leaves only, counted in order', async () => {
    const node = fakeNode();
    const realtime = new EmbeddedRealtime(node, pino({ level: 'silent' }));
    const heard: number[] = [];
    let done: () => void = () => undefined;
    const second = new Promise<void>((resolve) => (done = resolve));
    realtime.onAvailabilityChange(async (count) => {
      heard.push(count);
      if (heard.length === 2) done();
    });
    node.emit({ name: 'member_added', channel: 'presence-other', user_id: '9' });
    node.emit({ name: 'channel_occupied', channel: 'presence-agents' });
    node.users = 1;
    node.emit({ name: 'member_added', channel: 'presence-agents', user_id: '1' });
    await expect.poll(() => heard).toEqual([1]);
    node.users = 0;
    node.emit({ name: 'member_removed', channel: 'presence-agents', user_id: '1' });
    await second;
    expect(heard).toEqual([1, 0]);
  });

  it("tags connections with the agent and session, and ends an agent's connections but the kept session's", async () => {
    const node = fakeNode();
    const realtime = new EmbeddedRealtime(node, pino({ level: 'silent' }));
    await realtime.connectionAuthorised('1.2', 7, 'tag');
    realtime.endAgentConnections(7, 'tag');
    expect(node.tagged).toEqual([{ socketId: '1.2', by: '7', session: 'tag' }]);
    await expect.poll(() => node.ended).toEqual([{ by: '7', exceptSession: 'tag' }]);
  });

  it("logs a failure to end an agent's connections instead of throwing it at the caller", async () => {
    const node = fakeNode();
    node.failEnding = true;
    const { logger, lines } = capturedLog();
    expect(() => new EmbeddedRealtime(node, logger).endAgentConnections(7)).not.toThrow();
    await expect.poll(() => lines.join('')).toContain("ending an agent's connections failed");
  });
});

describe('the Pusher-HTTP realtime service (no presence roster)', () => {
  const service = (clock = new ManualClock(), asked: number[] = []) => {
    const events = new RecordingBroadcaster();
    const realtime = new PusherHttpRealtime({
      broadcaster: events,
      signing: SIGNING,
      reachable: true,
      agentsSeenSince: async (since) => (asked.push(since), [1, 2, 3, 4]),
      clock,
    });
    return { realtime, events };
  };

  it('counts as online the agents seen in the last five minutes', async () => {
    const clock = new ManualClock();
    const asked: number[] = [];
    expect(await service(clock, asked).realtime.agentsOnline()).toBe(4);
    expect(asked).toEqual([clock.now() - ONLINE_WINDOW_MS]);
    expect(ONLINE_WINDOW_MS).toBe(5 * 60_000);
  });

  it('publishes through its broadcaster', async () => {
    const { realtime, events } = service();
    await realtime.publish({ name: 'AvailabilityChanged', agentsOnline: 1, available: true, nextAvailableAt: null });
    expect(events.events).toEqual([{ name: 'AvailabilityChanged', agentsOnline: 1, available: true, nextAvailableAt: null }]);
  });

  it('cannot end connections it does not hold: tagging and ending do nothing, and availability never changes', async () => {
    const { realtime, events } = service();
    const heard: number[] = [];
    realtime.onAvailabilityChange(async (count) => void heard.push(count));
    await expect(realtime.connectionAuthorised('1.2', 7, 'tag')).resolves.toBeUndefined();
    expect(realtime.endAgentConnections(7)).toBeUndefined();
    expect(heard).toEqual([]);
    expect(events.events).toEqual([]);
  });
});

describe('choosing the realtime service from configuration', () => {
  const parts = { node: undefined, agentsSeenSince: async () => [], clock: new ManualClock(), logger: pino({ level: 'silent' }) };
  const PUSHER = { BROADCAST_DRIVER: 'pusher', PUSHER_APP_ID: '1', PUSHER_APP_KEY: 'pk', PUSHER_APP_SECRET: 'ps', PUSHER_APP_CLUSTER: 'eu' };

  it('hosted Pusher: reachable, signed with the Pusher app and without sender channel_data', () => {
    const realtime = chatRealtimeFor(testConfig(PUSHER), parts);
    expect(realtime).toBeInstanceOf(PusherHttpRealtime);
    expect(realtime.reachable).toBe(true);
    expect(realtime.signing).toEqual({ key: 'pk', secret: 'ps', signsSender: false });
  });

  it.each(['log', 'null'])('BROADCAST_DRIVER=%s: no WebSocket server for browsers, signed with the REVERB_APP_* app', (driver) => {
    const realtime = chatRealtimeFor(testConfig({ BROADCAST_DRIVER: driver }), parts);
    expect(realtime.reachable).toBe(false);
    expect(realtime.signing).toEqual({ key: TEST_SECRETS.REVERB_APP_KEY, secret: TEST_SECRETS.REVERB_APP_SECRET, signsSender: true });
  });
});

describe('GET /api/chat/config without an embedded realtime server', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('counts an agent online for five minutes after they were last seen', async () => {
    h = await startHarness('sqlite', { BROADCAST_DRIVER: 'log' });
    const online = async () => (await h.request({ method: 'GET', url: '/api/chat/config' })).json<{ agents_online: number }>().agents_online;
    expect(h.parley.realtimeNode).toBeUndefined();
    expect(await online()).toBe(0);
    await h.loginAs();
    expect(await online()).toBe(1);
    h.clock.advance(ONLINE_WINDOW_MS);
    expect(await online()).toBe(1);
    h.clock.advance(1);
    expect(await online()).toBe(0);
  });
});

import { randomBytes } from 'node:crypto';
import type { PresenceChannel } from 'pusher-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Cluster, clusterUnavailable, type ClusterNode } from './support/cluster.js';
import { agentClient, agentSend, clientsFor, createAgent, login, startChat, transcript, visitorClient, type AgentSession, type Chat } from './support/cluster-api.js';
import { CatchingUpVisitor, WebhookSink } from './support/cluster-observers.js';
import { buildDistOnce } from './support/dist-build.js';
import { waitFor, type PusherClients, type TestClient } from './support/pusher-clients.js';
import { TcpBalancer } from './support/tcp-balancer.js';

/**
 * Three nodes; the visitor reaches them through a TCP balancer that prefers B. Node B dies with
 * SIGKILL (no shutdown, no goodbye to Redis). A and C race to sweep it once its heartbeat expires
 * (heartbeat 2 s, expiry 6 s, sweep 5 s: ~12 s); what it held must be cleaned up and announced
 * exactly once, and clients that follow the documented catch-up rule must lose nothing.
 */

/** The sweep's worst case is about 12 s after the kill; the issue asks for less than 20 s. */
const SWEPT_WITHIN_MS = 20_000;

/** The next `AvailabilityChanged` on chat-status announcing `count` agents online. */
function agentsOnline(widget: TestClient, count: number, ms: number): Promise<{ agents_online: number }> {
  return waitFor(`AvailabilityChanged {agents_online: ${count}}`, (resolve) => {
    const handler = (data: { agents_online: number }) => {
      if (data.agents_online === count) resolve(data);
    };
    widget.pusher.channel('chat-status')?.bind('AvailabilityChanged', handler);
    return () => widget.pusher.channel('chat-status')?.unbind('AvailabilityChanged', handler);
  }, ms);
}

describe.skipIf(clusterUnavailable !== undefined)('a cluster that loses node B to kill -9 while B holds a visitor and an agent', () => {
  const N = 20;
  let cluster: Cluster;
  let a: ClusterNode;
  let b: ClusterNode;
  let c: ClusterNode;
  let balancer: TcpBalancer;
  let webhooks: WebhookSink;
  let admin: AgentSession;
  let chat: Chat;
  let conversationChannel: string;
  let samId: string;
  let adminOnA: TestClient;
  let widgetOnC: TestClient;
  let visitor: CatchingUpVisitor;
  /** Raw `pusher_internal:member_removed` frames for presence-agents reaching the admin on A (pusher-js hides repeats). */
  const removalFrames: string[] = [];
  let samLeft: Promise<{ id: string }>;
  let agentsOnlineDropped: Promise<{ agents_online: number }>;
  let killedAt: number;
  const opened: PusherClients[] = [];

  const on = (node: ClusterNode): PusherClients => {
    const clients = clientsFor(node);
    opened.push(clients);
    return clients;
  };

  /** The admin (on A) replies `message {i}` for each i in from..to, in order. */
  const send = async (from: number, to: number) => {
    for (let i = from; i <= to; i++) expect((await agentSend(a.url, admin, chat.id, `message ${i}`, `m-${i}`)).status).toBe(201);
  };

  beforeAll(async () => {
    await buildDistOnce();
    webhooks = await WebhookSink.start();
    cluster = await Cluster.start({ nodes: ['a', 'b', 'c'], env: { REVERB_WEBHOOK_URL: webhooks.url } });
    a = cluster.node('a');
    b = cluster.node('b');
    c = cluster.node('c');
    // B first: new connections land on B while it lives, then on A.
    balancer = await TcpBalancer.start([b.port, a.port]);
    admin = await login(a.url);
    chat = await startChat(a.url);
    conversationChannel = `private-conversation.${chat.id}`;

    // Sam has the dashboard open on B (presence-agents and private-agents); the admin watches from A.
    const email = `sam-${randomBytes(3).toString('hex')}@cluster.test`;
    samId = String(await createAgent(a.url, admin, { email, name: 'Sam', password: 'sam-password-1' }));
    adminOnA = await agentClient(on(a), a.url, admin);
    await adminOnA.subscribe('presence-agents');
    adminOnA.pusher.connection.bind('message', (frame: { event: string; channel?: string; data?: unknown }) => {
      if (frame.event === 'pusher_internal:member_removed' && frame.channel === 'presence-agents') removalFrames.push(JSON.stringify(frame.data));
    });
    widgetOnC = await on(c).connect();
    await widgetOnC.subscribe('chat-status');
    const samJoined = adminOnA.nextEvent<{ id: string }>('presence-agents', 'pusher:member_added');
    const twoOnline = agentsOnline(widgetOnC, 2, 5_000);
    const samOnB = await agentClient(on(b), b.url, await login(b.url, email, 'sam-password-1'));
    await samOnB.subscribe('presence-agents');
    await samOnB.subscribe('private-agents');
    expect((await samJoined).id).toBe(samId);
    await twoOnline;
    await webhooks.received('channel_occupied', 'private-agents', 5_000);

    // The visitor's WebSocket goes through the balancer, to B; its HTTP requests go to A.
    visitor = new CatchingUpVisitor(await visitorClient(on(a), a.url, chat, { wsPort: balancer.port }), a.url, chat);
    await waitFor<void>('the visitor to subscribe', (resolve) => {
      visitor.client.pusher.channel(conversationChannel)?.bind('pusher:subscription_succeeded', () => resolve());
    });
    expect(balancer.forwarded).toEqual([{ backend: b.port }]);

    // 1–5 while the visitor is connected through B: live.
    await send(1, 5);
    await visitor.holds(5, 5_000);

    // B dies. New connections are parked at the balancer, so the visitor stays away for a while.
    balancer.hold();
    samLeft = adminOnA.nextEvent<{ id: string }>('presence-agents', 'pusher:member_removed', SWEPT_WITHIN_MS);
    agentsOnlineDropped = agentsOnline(widgetOnC, 1, SWEPT_WITHIN_MS);
    // Settled here too, so a test that fails first leaves no unhandled rejection behind.
    samLeft.catch(() => undefined);
    agentsOnlineDropped.catch(() => undefined);
    killedAt = Date.now();
    await cluster.kill('b');
    await waitFor<void>('the visitor to notice the lost connection', (resolve) => {
      const connection = visitor.client.pusher.connection;
      if (connection.state !== 'connected') return resolve();
      const handler = (change: { current: string }) => {
        if (change.current !== 'connected') resolve();
      };
      connection.bind('state_change', handler);
      return () => connection.unbind('state_change', handler);
    });
  }, 120_000);

  // A failing test shows what the nodes printed (LOG_LEVEL=warn: warnings, errors, crashes).
  beforeEach(({ onTestFailed }) => onTestFailed(() => console.warn(cluster?.output() ?? 'the cluster did not start')));

  afterAll(async () => {
    for (const clients of opened.splice(0)) clients.closeAll();
    await balancer?.close();
    await cluster?.close();
    await webhooks?.close();
  });

  it(`reconnects the visitor through the balancer to A, where the catch-up rule gives it all ${N} messages exactly once`, async () => {
    // 6–15 while the visitor is away: only the catch-up can bring them.
    await send(6, 15);
    expect(visitor.bySeq.size).toBe(5);

    // The balancer lets the reconnection through: B refuses, so it lands on A, and the catch-up fills 6–15.
    const resubscribed = waitFor<void>('the resubscription after reconnecting', (resolve) => {
      visitor.client.pusher.channel(conversationChannel)?.bind('pusher:subscription_succeeded', () => resolve());
    }, 15_000);
    balancer.release();
    await visitor.client.reaches('connected', 15_000);
    await resubscribed;
    expect(balancer.forwarded.at(-1)).toEqual({ backend: a.port });
    await visitor.holds(15, 5_000);

    // 16–20 after the reconnection: live again, through A.
    await send(16, N);
    await visitor.holds(N, 5_000);

    expect(visitor.errors).toEqual([]);
    expect([...visitor.bySeq.keys()].sort((x, y) => x - y)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect([...visitor.bySeq.values()].map((m) => m.body).sort()).toEqual(Array.from({ length: N }, (_, i) => `message ${i + 1}`).sort());
    expect(visitor.stats.caughtUp).toBeGreaterThanOrEqual(10);
    expect(visitor.stats.live + visitor.stats.caughtUp).toBe(N);
    expect((await transcript(a.url, admin, chat.id)).map((m) => m.seq)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
  });

  it(`removes the agent whose only connection was on B from presence-agents as seen from A, within ${SWEPT_WITHIN_MS / 1000} s of the kill`, async () => {
    expect((await samLeft).id).toBe(samId);
    const sweptAfterMs = Date.now() - killedAt;
    expect(sweptAfterMs).toBeLessThan(SWEPT_WITHIN_MS);
    const roster: string[] = [];
    (adminOnA.pusher.channel('presence-agents') as PresenceChannel).members.each((m: { id: string }) => roster.push(m.id));
    expect(roster).toEqual([String(admin.agentId)]);
    console.warn(`failover: member_removed ${sweptAfterMs} ms after the kill; visitor ${JSON.stringify(visitor.stats)}`);
  });

  it('tells widgets that one agent fewer is online once B is swept', async () => {
    expect(await agentsOnlineDropped).toEqual({ agents_online: 1, available: true, next_available_at: null });
  });

  it("reports B's departure once per cluster: one member_removed frame, one member_removed and one channel_vacated webhook", async () => {
    await samLeft;
    await webhooks.received('channel_vacated', 'private-agents', SWEPT_WITHIN_MS);
    // Sentinels: one new channel on A and one on C. Each node sends its webhooks in order, so once
    // both sentinels are in, any second report of B's departure from A or C would be in too.
    const tag = randomBytes(3).toString('hex');
    const onA = await on(a).connect();
    const onC = await on(c).connect();
    await onA.subscribe(`sentinel-a-${tag}`);
    await onC.subscribe(`sentinel-c-${tag}`);
    await webhooks.received('channel_occupied', `sentinel-a-${tag}`, 5_000);
    await webhooks.received('channel_occupied', `sentinel-c-${tag}`, 5_000);

    expect(removalFrames).toEqual([JSON.stringify({ user_id: samId })]);
    expect(webhooks.events.filter((e) => e.name === 'member_removed' && e.channel === 'presence-agents')).toEqual([{ name: 'member_removed', channel: 'presence-agents', user_id: samId }]);
    expect(webhooks.count('channel_vacated', 'private-agents')).toBe(1);
  });

  it("drops B's subscriptions from the cluster's channel counts", async () => {
    await samLeft;
    const info = async (channel: string) => (await a.sdk.get({ path: `/channels/${channel}`, params: { info: 'subscription_count' } })).json();
    // The visitor is subscribed again, through A; its subscription on B is gone.
    await expect.poll(() => info(conversationChannel), { timeout: 5_000 }).toEqual({ occupied: true, subscription_count: 1 });
    expect(await info('private-agents')).toEqual({ occupied: false, subscription_count: 0 });
    expect(await info('presence-agents')).toEqual({ occupied: true, subscription_count: 1 });
  });

  it('removes the presence members of a node stopped with SIGTERM at once, without waiting for a sweep', async () => {
    const email = `kim-${randomBytes(3).toString('hex')}@cluster.test`;
    const kimId = String(await createAgent(a.url, admin, { email, name: 'Kim', password: 'kim-password-1' }));
    const kimJoined = adminOnA.nextEvent<{ id: string }>('presence-agents', 'pusher:member_added');
    const kimOnC = await agentClient(on(c), c.url, await login(c.url, email, 'kim-password-1'));
    await kimOnC.subscribe('presence-agents');
    expect((await kimJoined).id).toBe(kimId);

    // A sweep could not remove Kim before the 6 s heartbeat expiry: well within it means C said goodbye.
    const kimLeft = adminOnA.nextEvent<{ id: string }>('presence-agents', 'pusher:member_removed', 4_000);
    expect(await c.process.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect((await kimLeft).id).toBe(kimId);
  });
});

import { randomBytes } from 'node:crypto';
import type { ChannelAuthorizationHandler, PresenceChannel } from 'pusher-js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MessageDto } from '../src/chat/dto.js';
import { MIGRATION_NAMES } from '../src/storage/migrator.js';
import { CLUSTER_ADMIN, Cluster, clusterUnavailable, type ClusterNode } from './support/cluster.js';
import { agentClient, agentSend, call, clientsFor, createAgent, login, startChat, transcript, visitorClient, visitorSend, type AgentSession } from './support/cluster-api.js';
import { buildDistOnce } from './support/dist-build.js';
import { waitFor, type PusherClients, type TestClient } from './support/pusher-clients.js';

/**
 * Three `parley start` processes (A, B, C) on one PostgreSQL schema and one Redis prefix: what a
 * visitor or an agent sees must not depend on which node their HTTP request or WebSocket reached.
 */

const LIVE_MS = 5_000;

interface Member {
  id: string;
  info: { name: string; role?: string };
}

describe.skipIf(clusterUnavailable !== undefined)('a cluster of three nodes sharing Redis and PostgreSQL', () => {
  let cluster: Cluster;
  let a: ClusterNode;
  let b: ClusterNode;
  let admin: AgentSession;
  const opened: PusherClients[] = [];

  /** pusher-js clients connected to `node`, closed after each test. */
  const on = (node: ClusterNode): PusherClients => {
    const clients = clientsFor(node);
    opened.push(clients);
    return clients;
  };

  /** A pusher-js client whose subscriptions are signed here with the app secret (any channel, any presence user). */
  const signedClient = (node: ClusterNode, user?: { id: string; name: string }): Promise<TestClient> => {
    const customHandler: ChannelAuthorizationHandler = ({ socketId, channelName }, callback) =>
      callback(null, node.sdk.authorizeChannel(socketId, channelName, user ? { user_id: user.id, user_info: { name: user.name } } : undefined));
    return on(node).connect({ channelAuthorization: { customHandler } });
  };

  /** The next `event` on `channel` whose data passes `match`: earlier tests' stragglers and a visitor's own echoes are skipped. */
  const nextMatching = <T>(client: TestClient, channel: string, event: string, match: (data: T) => boolean): Promise<T> =>
    waitFor<T>(`${event} on ${channel} (matching)`, (resolve) => {
      const handler = (data: T) => {
        if (match(data)) resolve(data);
      };
      client.pusher.channel(channel)?.bind(event, handler);
      return () => client.pusher.channel(channel)?.unbind(event, handler);
    }, LIVE_MS);

  /** The next MessageSent on `channel` whose message has the fields of `fields`. */
  const nextMessage = async (client: TestClient, channel: string, fields: Partial<MessageDto>): Promise<MessageDto> => {
    const matches = (data: { message: MessageDto }) => Object.entries(fields).every(([key, value]) => data.message[key as keyof MessageDto] === value);
    return (await nextMatching(client, channel, 'MessageSent', matches)).message;
  };

  /** The next AvailabilityChanged on chat-status announcing `count` agents online. */
  const nextAvailability = (client: TestClient, count: number) =>
    nextMatching<{ agents_online: number }>(client, 'chat-status', 'AvailabilityChanged', (data) => data.agents_online === count);

  const rosterOf = (client: TestClient, channel: string): string[] => {
    const ids: string[] = [];
    (client.pusher.channel(channel) as PresenceChannel).members.each((member: Member) => ids.push(member.id));
    return ids.sort();
  };

  beforeAll(async () => {
    await buildDistOnce();
    cluster = await Cluster.start({ nodes: ['a', 'b', 'c'] });
    a = cluster.node('a');
    b = cluster.node('b');
    admin = await login(a.url);
  }, 120_000);

  afterEach(() => {
    for (const clients of opened.splice(0)) clients.closeAll();
  });

  // A failing test shows what the nodes printed (LOG_LEVEL=warn: warnings, errors, crashes).
  beforeEach(({ onTestFailed }) => onTestFailed(() => console.warn(cluster?.output() ?? 'the cluster did not start')));

  afterAll(async () => {
    for (const clients of opened.splice(0)) clients.closeAll();
    await cluster?.close();
  });

  it('reports the database and Redis as healthy in GET /up on every node', async () => {
    for (const node of cluster.nodes.values()) {
      const up = await call(node.url, 'GET', '/up');
      expect(up, `node ${node.name}`).toMatchObject({ status: 200, body: { status: 'ok', checks: { database: 'ok', redis: 'ok' } } });
    }
  });

  it('migrated the empty database once and created the first admin once, although all nodes started at the same moment', async () => {
    expect((await cluster.query<{ name: string }>('select name from kysely_migration')).map((r) => r.name)).toEqual(MIGRATION_NAMES);
    expect(await cluster.query('select email, role from agents')).toEqual([{ email: CLUSTER_ADMIN.email, role: 'admin' }]);
  });

  describe('chat across nodes', () => {
    it('delivers a visitor on A and an agent on B each other’s messages live over their WebSockets', async () => {
      const agentOnB = await agentClient(on(b), b.url, await login(b.url));
      await agentOnB.subscribe('private-agents');
      const started = agentOnB.nextEvent<{ conversation: { id: number } }>('private-agents', 'ConversationStarted', LIVE_MS);
      const chat = await startChat(a.url);
      expect((await started).conversation.id).toBe(chat.id);

      const visitorOnA = await visitorClient(on(a), a.url, chat);
      await visitorOnA.subscribe(`private-conversation.${chat.id}`);
      await agentOnB.subscribe(`private-conversation.${chat.id}`);

      // Visitor → agent: stored through A, heard on B on both channels an agent listens to.
      const onConversation = nextMessage(agentOnB, `private-conversation.${chat.id}`, { sender: 'visitor' });
      const onInbox = nextMessage(agentOnB, 'private-agents', { sender: 'visitor' });
      expect((await visitorSend(a.url, chat, 'Hello from A', 'v-1')).status).toBe(201);
      expect(await onConversation).toMatchObject({ conversation_id: chat.id, seq: 1, body: 'Hello from A' });
      expect(await onInbox).toMatchObject({ conversation_id: chat.id, seq: 1, body: 'Hello from A' });

      // Agent → visitor: stored through B, heard on A.
      const reply = nextMessage(visitorOnA, `private-conversation.${chat.id}`, { sender: 'agent' });
      const agentB = await login(b.url);
      expect((await agentSend(b.url, agentB, chat.id, 'Hi from B', 'a-1')).status).toBe(201);
      expect(await reply).toMatchObject({ conversation_id: chat.id, seq: 2, body: 'Hi from B' });
    });

    it('gives every message of one conversation a unique, gap-free seq when two nodes take sends at once', async () => {
      const chat = await startChat(a.url);
      const agentB = await login(b.url);
      const sends = await Promise.all([
        ...Array.from({ length: 50 }, (_, i) => visitorSend(a.url, chat, `visitor ${i}`, `v-${i}`)),
        ...Array.from({ length: 50 }, (_, i) => agentSend(b.url, agentB, chat.id, `agent ${i}`, `a-${i}`)),
      ]);
      expect(sends.map((s) => s.status)).toEqual(Array<number>(100).fill(201));

      const messages = await transcript(a.url, admin, chat.id);
      expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(new Set(messages.map((m) => m.client_message_id)).size).toBe(100);
      expect(new Set(sends.map((s) => s.body.message.seq)).size).toBe(100);
    });

    it('stores a client_message_id once, whichever node a repeat or a concurrent duplicate reaches', async () => {
      const chat = await startChat(a.url);
      const first = await visitorSend(a.url, chat, 'Once only', 'dup-1');
      expect(first.status).toBe(201);

      // A retry through the other node answers the stored message.
      const retry = await visitorSend(b.url, chat, 'Once only (retry)', 'dup-1');
      expect(retry.status).toBe(200);
      expect(retry.body.message).toEqual(first.body.message);

      // The same id sent through A, B and C at the same moment: one message, everyone gets it back.
      const racing = await Promise.all([...cluster.nodes.values()].map((node) => visitorSend(node.url, chat, 'Racing', 'dup-2')));
      expect(racing.map((r) => r.status).sort()).toEqual([200, 200, 201]);
      expect(new Set(racing.map((r) => r.body.message.id)).size).toBe(1);

      const messages = await transcript(b.url, admin, chat.id);
      expect(messages.map((m) => [m.seq, m.client_message_id])).toEqual([
        [1, 'dup-1'],
        [2, 'dup-2'],
      ]);
    });
  });

  describe('agent sessions', () => {
    it('accepts a session cookie and its CSRF token on a node other than the one that logged in', async () => {
      const session = await login(a.url);

      const me = await call<{ agent: { id: number }; csrf_token: string }>(b.url, 'GET', '/api/agent/me', { headers: { cookie: session.cookie } });
      expect(me.status).toBe(200);
      expect(me.body.agent.id).toBe(session.agentId);
      expect(me.body.csrf_token).toBe(session.csrf);

      const chat = await startChat(a.url);
      expect((await agentSend(b.url, session, chat.id, 'Sent through B with a session from A')).status).toBe(201);
    });

    it('ends a session on every node when it logs out on one', async () => {
      const session = await login(a.url);
      expect((await call(b.url, 'POST', '/api/agent/logout', { headers: session.headers })).status).toBe(204);
      expect((await call(a.url, 'GET', '/api/agent/me', { headers: { cookie: session.cookie } })).status).toBe(401);
    });
  });

  describe('presence across nodes', () => {
    let sam: { id: number; email: string; password: string };

    beforeAll(async () => {
      const email = `sam-${randomBytes(3).toString('hex')}@cluster.test`;
      const password = 'sam-password-1';
      sam = { id: await createAgent(a.url, admin, { email, name: 'Sam', password }), email, password };
    });

    it('shows an agent who joins presence-agents on B in the roster on A, with member_added and member_removed', async () => {
      const adminOnA = await agentClient(on(a), a.url, admin);
      await adminOnA.subscribe('presence-agents');
      expect(rosterOf(adminOnA, 'presence-agents')).toEqual([String(admin.agentId)]);

      const added = adminOnA.nextEvent<Member>('presence-agents', 'pusher:member_added', LIVE_MS);
      const samOnB = await agentClient(on(b), b.url, await login(b.url, sam.email, sam.password));
      await samOnB.subscribe('presence-agents');
      expect(await added).toEqual({ id: String(sam.id), info: { name: 'Sam', role: 'agent' } });
      expect(rosterOf(adminOnA, 'presence-agents')).toEqual([String(admin.agentId), String(sam.id)].sort());

      // Someone subscribing on A now gets Sam (on B) in the initial roster ("here").
      const lateOnA = await agentClient(on(a), a.url, await login(a.url));
      await lateOnA.subscribe('presence-agents');
      expect(rosterOf(lateOnA, 'presence-agents')).toEqual([String(admin.agentId), String(sam.id)].sort());

      const removed = adminOnA.nextEvent<Member>('presence-agents', 'pusher:member_removed', LIVE_MS);
      samOnB.pusher.disconnect();
      expect((await removed).id).toBe(String(sam.id));
      expect(rosterOf(adminOnA, 'presence-agents')).toEqual([String(admin.agentId)]);
    });

    it('tells a widget on A that agents are online when the only agent online is on B', async () => {
      const widgetOnA = await on(a).connect();
      await widgetOnA.subscribe('chat-status');
      // Earlier tests' agents may still be leaving: wait until the cluster agrees nobody is online.
      await expect.poll(async () => (await call<{ agents_online: number }>(a.url, 'GET', '/api/chat/config')).body.agents_online, { timeout: LIVE_MS }).toBe(0);

      const online = nextAvailability(widgetOnA, 1);
      const samOnB = await agentClient(on(b), b.url, await login(b.url, sam.email, sam.password));
      await samOnB.subscribe('presence-agents');
      expect(await online).toEqual({ agents_online: 1, available: true, next_available_at: null });
      expect((await call<{ agents_online: number }>(a.url, 'GET', '/api/chat/config')).body.agents_online).toBe(1);

      const offline = nextAvailability(widgetOnA, 0);
      samOnB.pusher.disconnect();
      expect(await offline).toEqual({ agents_online: 0, available: false, next_available_at: null });
    });
  });

  describe('the Pusher HTTP API', () => {
    /** The JSON of a 2xx answer from the Pusher SDK. */
    const answer = async (request: Promise<{ status: number; json(): Promise<unknown> }>): Promise<unknown> => (await request).json();

    it('reports on A the channels occupied only by subscribers on B, with their counts', async () => {
      const tag = randomBytes(4).toString('hex');
      const room = `presence-room-${tag}`;
      const news = `news-${tag}`;
      const ann = await signedClient(b, { id: 'ann', name: 'Ann' });
      const annAgain = await signedClient(b, { id: 'ann', name: 'Ann' });
      const bob = await signedClient(b, { id: 'bob', name: 'Bob' });
      for (const client of [ann, annAgain, bob]) await client.subscribe(room);
      await ann.subscribe(news);

      const all = (await answer(a.sdk.get({ path: '/channels' }))) as { channels: Record<string, unknown> };
      expect(all.channels[room]).toEqual({});
      expect(all.channels[news]).toEqual({});
      expect(await answer(a.sdk.get({ path: '/channels', params: { filter_by_prefix: room, info: 'user_count' } }))).toEqual({ channels: { [room]: { user_count: 2 } } });
      expect(await answer(a.sdk.get({ path: `/channels/${room}`, params: { info: 'user_count,subscription_count' } }))).toEqual({ occupied: true, user_count: 2, subscription_count: 3 });
      expect(await answer(a.sdk.get({ path: `/channels/${news}`, params: { info: 'subscription_count' } }))).toEqual({ occupied: true, subscription_count: 1 });
      const users = (await answer(a.sdk.get({ path: `/channels/${room}/users` }))) as { users: { id: string }[] };
      expect(users.users.map((u) => u.id).sort()).toEqual(['ann', 'bob']);

      // When the subscribers on B leave, A sees the channels empty (bounded: the unsubscriptions are asynchronous).
      for (const client of [ann, annAgain, bob]) client.pusher.disconnect();
      await expect.poll(() => answer(a.sdk.get({ path: `/channels/${room}` })), { timeout: LIVE_MS }).toEqual({ occupied: false });
      await expect.poll(() => answer(a.sdk.get({ path: `/channels/${news}` })), { timeout: LIVE_MS }).toEqual({ occupied: false });
    });

    it('delivers an event triggered through the HTTP API of A to a subscriber on B', async () => {
      const channel = `news-${randomBytes(4).toString('hex')}`;
      const listener = await signedClient(b);
      await listener.subscribe(channel);
      const heard = waitFor<unknown>(`Price on ${channel}`, (resolve) => {
        listener.pusher.channel(channel)?.bind('Price', resolve);
      });
      await a.sdk.trigger(channel, 'Price', { eur: 10 });
      expect(await heard).toEqual({ eur: 10 });
    });
  });
});

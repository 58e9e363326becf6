import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PUSHER_CODES } from '../src/realtime/protocol/codes.js';
import { cookieAuthorizer, listeningParley, type PusherClients, waitFor, type TestClient } from './support/pusher-clients.js';
import type { Harness } from './support/harness.js';

type Session = Awaited<ReturnType<Harness['loginAs']>>;

const SAM = { name: 'Sam', email: 'sam@example.test', password: 'sam-password-123', role: 'agent' };

/**
 * Every realtime connection an agent authorised (any channel, not only presence) ends when that
 * agent's sessions end: deactivation, a password reset or change, "log out everywhere"
 * (docs/security.md). Real WebSockets, real HTTP, the embedded realtime server.
 */
describe("an agent's realtime connections end with their sessions", () => {
  let h: Harness;
  let port: number;
  let clients: PusherClients;
  let admin: Session;
  let samId: number;

  beforeEach(async () => {
    ({ h, port, clients } = await listeningParley());
    admin = await h.loginAs();
    const created = await h.request({ method: 'POST', url: '/api/agent/agents', headers: admin.headers, json: SAM });
    expect(created.statusCode, created.body).toBe(201);
    samId = created.json<{ agent: { id: number } }>().agent.id;
  });
  afterEach(async () => {
    clients?.closeAll();
    await h?.close();
  });

  const agentClient = (session: Session): Promise<TestClient> =>
    clients.connect({ channelAuthorization: { customHandler: cookieAuthorizer(`http://127.0.0.1:${port}`, session.cookie) } });

  /** Resolves with the close code pusher-js reports for its connection. */
  const closeCode = (client: TestClient): Promise<number> =>
    waitFor<number>('the connection to be closed by the server', (resolve) => {
      const handler = (error: { data?: { code?: number } }) => {
        if (typeof error.data?.code === 'number') resolve(error.data.code);
      };
      client.pusher.connection.bind('error', handler);
      return () => client.pusher.connection.unbind('error', handler);
    });

  /** A conversation's channel only: nothing that puts the agent in a presence roster. */
  const watchingAConversation = async (session: Session): Promise<TestClient> => {
    const start = await h.request({ method: 'POST', url: '/api/chat/start', json: { message: 'Hello' } });
    expect(start.statusCode, start.body).toBe(201);
    const client = await agentClient(session);
    await client.subscribe(`private-conversation.${start.json<{ conversation: { id: number } }>().conversation.id}`);
    return client;
  };

  it('closes a deactivated agent\'s socket subscribed only to private-conversation.N with 4009', async () => {
    const sam = await watchingAConversation(await h.loginAs(SAM.email, SAM.password));
    const adminClient = await watchingAConversation(admin);
    const closed = closeCode(sam);

    const res = await h.request({ method: 'PATCH', url: `/api/agent/agents/${samId}`, headers: admin.headers, json: { active: false } });
    expect(res.statusCode, res.body).toBe(200);
    expect(await closed).toBe(PUSHER_CODES.UNAUTHORIZED);
    await expect.poll(() => h.parley.realtimeNode?.connectionCount()).toBe(1);
    expect(adminClient.pusher.connection.state).toBe('connected');
  });

  it("closes the agent's sockets with 4009 when an admin resets their password", async () => {
    const sam = await watchingAConversation(await h.loginAs(SAM.email, SAM.password));
    const closed = closeCode(sam);
    const res = await h.request({ method: 'PATCH', url: `/api/agent/agents/${samId}`, headers: admin.headers, json: { password: 'a-new-password-456' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(await closed).toBe(PUSHER_CODES.UNAUTHORIZED);
  });

  it('changing their own password closes the sockets of their other sessions and keeps this session\'s', async () => {
    const here = await h.loginAs(SAM.email, SAM.password);
    const elsewhere = await h.loginAs(SAM.email, SAM.password);
    const mine = await watchingAConversation(here);
    const theirs = await watchingAConversation(elsewhere);
    const closed = closeCode(theirs);

    const res = await h.request({ method: 'POST', url: '/api/agent/me/password', headers: here.headers, json: { current_password: SAM.password, password: 'a-new-password-456' } });
    expect(res.statusCode, res.body).toBe(204);
    expect(await closed).toBe(PUSHER_CODES.UNAUTHORIZED);
    await expect.poll(() => h.parley.realtimeNode?.connectionCount()).toBe(1);
    expect(mine.pusher.connection.state).toBe('connected');
  });

  it("'log out everywhere' closes every socket the agent authorised, this session's too", async () => {
    const here = await h.loginAs(SAM.email, SAM.password);
    const mine = await watchingAConversation(here);
    const theirs = await watchingAConversation(await h.loginAs(SAM.email, SAM.password));
    const closed = [closeCode(mine), closeCode(theirs)];

    const res = await h.request({ method: 'POST', url: '/api/agent/me/logout-all', headers: here.headers });
    expect(res.statusCode, res.body).toBe(204);
    expect(await Promise.all(closed)).toEqual([PUSHER_CODES.UNAUTHORIZED, PUSHER_CODES.UNAUTHORIZED]);
  });

  it('refuses channel and user authorisation once the session has ended (403)', async () => {
    const sam = await h.loginAs(SAM.email, SAM.password);
    await h.request({ method: 'POST', url: '/api/agent/me/logout-all', headers: sam.headers });
    const form = { 'content-type': 'application/x-www-form-urlencoded', cookie: sam.cookie };
    const channel = await h.request({ method: 'POST', url: '/broadcasting/auth', headers: form, payload: 'socket_id=1.2&channel_name=private-agents' });
    const user = await h.request({ method: 'POST', url: '/broadcasting/user-auth', headers: form, payload: 'socket_id=1.2' });
    expect([channel.statusCode, user.statusCode]).toEqual([403, 403]);
  });
});

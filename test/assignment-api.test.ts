import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentDto } from '../src/agents/agent-service.js';
import type { AgentConversationDto } from '../src/chat/dto.js';
import type { Engine } from '../src/storage/engine.js';
import { newClientId, newFingerprint, type StartAnswer } from './support/agent-api.js';
import { ENGINES, skipEngine } from './support/engines.js';
import { startHarness, type Harness } from './support/harness.js';

// Automatic assignment (docs/dashboard.md, "Automatic assignment"; docs/api.md, "Chat settings").
// BROADCAST_DRIVER=log: an agent seen in the last five minutes counts as connected, so logging in
// is enough to be there, and an agent never logged in is not.

type Session = Awaited<ReturnType<Harness['loginAs']>>;
const PASSWORD = 'agent password 123';

describe.each(ENGINES)('automatic assignment on %s', (engine: Engine) => {
  let h: Harness;
  let admin: Session;
  let adminId: number;

  beforeEach(async (ctx) => {
    if (skipEngine(engine)) return ctx.skip();
    h = await startHarness(engine, { BROADCAST_DRIVER: 'log' });
    admin = await h.loginAs();
    adminId = (await h.request({ method: 'GET', url: '/api/agent/me', headers: admin.headers })).json<{ agent: AgentDto }>().agent.id;
  });
  afterEach(async () => {
    await h?.close();
  });

  const call = async (method: 'POST' | 'PATCH', url: string, json: unknown, session: Session = admin) => {
    const res = await h.request({ method, url, json, headers: session.headers });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res;
  };
  const settings = (json: Record<string, unknown>) => call('PATCH', '/api/agent/settings', json);
  /** A new agent, logged in (so connected) unless told otherwise. */
  const agent = async (name: string, opts: { login?: boolean } = {}): Promise<{ id: number; session: Session }> => {
    const email = `${name.toLowerCase()}@example.test`;
    const { id } = (await call('POST', '/api/agent/agents', { email, name, password: PASSWORD, role: 'agent' })).json<{ agent: AgentDto }>().agent;
    return { id, session: opts.login === false ? (undefined as unknown as Session) : await h.loginAs(email, PASSWORD) };
  };
  const setStatus = (session: Session, status: 'online' | 'away') => call('PATCH', '/api/agent/me', { status }, session);
  const start = async (): Promise<StartAnswer> => {
    const res = await h.request({ method: 'POST', url: '/api/chat/start', json: { fingerprint: newFingerprint(), message: 'Hello, anyone there?', client_message_id: newClientId('v') } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<StartAnswer>();
  };
  const assignee = async (chat: StartAnswer): Promise<number | null> => {
    const res = await h.request({ method: 'GET', url: `/api/agent/conversations/${chat.conversation.id}`, headers: admin.headers });
    return res.json<{ conversation: AgentConversationDto }>().conversation.agent?.id ?? null;
  };
  const assignees = (chats: StartAnswer[]) => Promise.all(chats.map(assignee));
  const updates = (chat: StartAnswer) =>
    h.events.events.flatMap((e) => (e.name === 'ConversationUpdated' && e.conversation.id === chat.conversation.id ? [e.conversation.agent?.id ?? null] : []));

  it('leaves new conversations unassigned while auto_assign is off (the default)', async () => {
    const chat = await start();
    expect(chat.conversation.agent).toBeNull();
    expect(await assignee(chat)).toBeNull();
  });

  it('hands new conversations in turn to the agents online and connected, and tells the visitor who answers', async () => {
    const sam = await agent('Sam');
    const kim = await agent('Kim');
    await setStatus(kim.session, 'away');
    await agent('Lee', { login: false });
    await settings({ auto_assign: true });

    const chats = [await start(), await start(), await start(), await start()];

    expect(await assignees(chats)).toEqual([adminId, sam.id, adminId, sam.id]);
    // The visitor's start answer already names the agent: the widget's header shows it.
    expect(chats.map((c) => c.conversation.agent?.name)).toEqual(['Admin', 'Sam', 'Admin', 'Sam']);
    // One ConversationUpdated per assignment: the dashboards and the visitor's widget hear of it.
    for (const chat of chats) expect(updates(chat)).toEqual([chat.conversation.agent?.id]);
  });

  it('keeps a conversation waiting when everyone is at the limit, and hands out the oldest waiting when a slot frees', async () => {
    const sam = await agent('Sam');
    const kim = await agent('Kim');
    await setStatus(kim.session, 'away');
    await settings({ auto_assign: true, max_open_per_agent: 1 });

    const first = await start();
    const second = await start();
    const third = await start();
    const fourth = await start();
    expect(await assignees([first, second, third, fourth])).toEqual([adminId, sam.id, null, null]);
    expect(third.conversation.agent).toBeNull();

    await call('POST', `/api/agent/conversations/${first.conversation.id}/close`, {});
    expect(await assignees([third, fourth])).toEqual([adminId, null]);

    await setStatus(kim.session, 'online');
    expect(await assignees([fourth])).toEqual([kim.id]);
    expect(updates(fourth)).toEqual([kim.id]);
  });

  it('hands out the conversations already waiting when an admin turns auto_assign on', async () => {
    const waiting = [await start(), await start()];
    const sam = await agent('Sam');
    await settings({ auto_assign: true });
    expect(await assignees(waiting)).toEqual([adminId, sam.id]);
  });

  it("hands an agent's unanswered conversations to the others when they go away, and keeps the answered ones theirs", async () => {
    const sam = await agent('Sam');
    await settings({ auto_assign: true });
    const chats = [await start(), await start(), await start(), await start()];
    expect(await assignees(chats)).toEqual([adminId, sam.id, adminId, sam.id]);
    await call('POST', `/api/agent/conversations/${chats[1]?.conversation.id}/messages`, { body: 'Hi, Sam here', client_message_id: newClientId('a') }, sam.session);

    await setStatus(sam.session, 'away');

    expect(await assignees(chats)).toEqual([adminId, sam.id, adminId, adminId]);
    expect(updates(chats[3] as StartAnswer)).toEqual([sam.id, adminId]);
  });

  it('puts them back to wait when nobody else can take them, until someone can', async () => {
    const sam = await agent('Sam');
    await settings({ auto_assign: true, max_open_per_agent: 1 });
    const chats = [await start(), await start()];
    expect(await assignees(chats)).toEqual([adminId, sam.id]);

    await setStatus(sam.session, 'away');
    expect(await assignees(chats)).toEqual([adminId, null]);

    await call('POST', `/api/agent/conversations/${chats[0]?.conversation.id}/close`, {});
    expect(await assignees(chats)).toEqual([adminId, adminId]);
  });

  it('keeps a manual assignment, even to an agent who is away', async () => {
    const kim = await agent('Kim');
    await setStatus(kim.session, 'away');
    await settings({ auto_assign: true });
    const chat = await start();
    expect(await assignee(chat)).toBe(adminId);

    await call('POST', `/api/agent/conversations/${chat.conversation.id}/assign`, { agent_id: kim.id });
    await start();
    await setStatus(admin, 'away');
    await setStatus(admin, 'online');

    expect(await assignee(chat)).toBe(kim.id);
  });
});

import { sql } from 'kysely';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentDto } from '../src/agents/agent-service.js';
import { RecordingBroadcaster } from '../src/broadcasting/null-broadcaster.js';
import { createParley, type Parley } from '../src/main.js';
import { openStorage, type Storage } from '../src/storage/database.js';
import { ManualClock } from '../src/time/clock.js';
import { newClientId, newFingerprint, type StartAnswer } from './support/agent-api.js';
import { freshStorage, skipEngine, TEST_DATABASE_URL } from './support/engines.js';
import { ADMIN, testConfig, VISITOR_UA } from './support/harness.js';

// Automatic assignment with two Parley nodes on one PostgreSQL schema, both handing out
// conversations at once (docs/dashboard.md, "Automatic assignment"): every conversation is
// assigned exactly once, the round robin stays even, and no agent goes over the limit.

const PASSWORD = 'agent password 123';
type Headers = Record<string, string>;

describe('automatic assignment with two nodes on one PostgreSQL database', () => {
  let storages: Storage[];
  let nodes: Parley[];
  let recorders: RecordingBroadcaster[];

  beforeEach(async (ctx) => {
    if (skipEngine('pgsql')) return ctx.skip();
    const first = await freshStorage('pgsql');
    const schema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(first.db)).rows[0]?.schema ?? '';
    storages = [first, openStorage({ kind: 'pgsql', url: TEST_DATABASE_URL }, { searchPath: schema, poolSize: 20 })];
    // BROADCAST_DRIVER=log: an agent who logged in lately counts as connected, on every node.
    const config = testConfig({ BROADCAST_DRIVER: 'log' });
    const clock = new ManualClock(Date.now());
    nodes = [];
    recorders = [];
    for (const storage of storages) {
      const recorder = new RecordingBroadcaster();
      recorders.push(recorder);
      nodes.push(await createParley(config, pino({ level: 'silent' }), { clock, storage, broadcaster: recorder }));
    }
    await nodes[0]?.agents.ensureFirstAdmin(ADMIN.email, ADMIN.password);
  });
  afterEach(async () => {
    for (const node of nodes ?? []) await node.close();
    for (const storage of storages ?? []) await storage.close();
  });

  const inject = async (node: Parley, method: 'POST' | 'PATCH', url: string, json: unknown, headers: Headers = {}) => {
    const res = await node.app.inject({ method, url, remoteAddress: '203.0.113.10', headers: { 'user-agent': VISITOR_UA, 'content-type': 'application/json', ...headers }, payload: JSON.stringify(json) });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res;
  };
  const login = async (node: Parley, email: string, password: string): Promise<Headers> => {
    const res = await inject(node, 'POST', '/api/agent/login', { email, password });
    return { cookie: `parley_session=${res.cookies.find((c) => c.name === 'parley_session')?.value ?? ''}`, 'x-csrf-token': res.json<{ csrf_token: string }>().csrf_token };
  };
  /** The admin and two agents, all logged in (so available); answers the admin's headers and the three ids. */
  const team = async (): Promise<{ admin: Headers; ids: number[] }> => {
    const [a, b] = nodes as [Parley, Parley];
    const admin = await login(a, ADMIN.email, ADMIN.password);
    const ids: number[] = [];
    for (const name of ['Sam', 'Kim']) {
      const email = `${name.toLowerCase()}@example.test`;
      ids.push((await inject(a, 'POST', '/api/agent/agents', { email, name, password: PASSWORD, role: 'agent' }, admin)).json<{ agent: AgentDto }>().agent.id);
      await login(b, email, PASSWORD);
    }
    const me = await a.app.inject({ method: 'GET', url: '/api/agent/me', headers: admin });
    return { admin, ids: [me.json<{ agent: AgentDto }>().agent.id, ...ids] };
  };
  /** `count` new conversations started at once, alternating between the nodes. */
  const startMany = (count: number): Promise<StartAnswer[]> =>
    Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const node = nodes[i % 2] as Parley;
        const res = await inject(node, 'POST', '/api/chat/start', { fingerprint: newFingerprint(), message: `Hello ${i}`, client_message_id: newClientId('v') });
        return res.json<StartAnswer>();
      }),
    );
  /** Who has each conversation now, from the database. */
  const assigneesOf = async (chats: StartAnswer[]): Promise<Map<number, number | null>> => {
    const rows = await (storages[0] as Storage).db
      .selectFrom('conversations')
      .select(['id', 'assigned_agent_id'])
      .where('id', 'in', chats.map((c) => c.conversation.id))
      .execute();
    return new Map(rows.map((r) => [Number(r.id), r.assigned_agent_id === null ? null : Number(r.assigned_agent_id)]));
  };
  const countsOf = (assignees: Map<number, number | null>, ids: number[]): number[] => ids.map((id) => [...assignees.values()].filter((a) => a === id).length);
  /** The assignments both nodes announced, per conversation (closing announces an update too: not counted). */
  const announced = (): Map<number, (number | null)[]> => {
    const byConversation = new Map<number, (number | null)[]>();
    for (const event of recorders.flatMap((r) => r.events)) {
      if (event.name !== 'ConversationUpdated' || event.conversation.status !== 'open') continue;
      const list = byConversation.get(event.conversation.id) ?? [];
      list.push(event.conversation.agent?.id ?? null);
      byConversation.set(event.conversation.id, list);
    }
    return byConversation;
  };

  it('assigns each of many conversations started at once on both nodes exactly once, evenly', async () => {
    const { admin, ids } = await team();
    await inject(nodes[1] as Parley, 'PATCH', '/api/agent/settings', { auto_assign: true, max_open_per_agent: 100 }, admin);

    const chats = await startMany(44);

    const assignees = await assigneesOf(chats);
    expect([...assignees.values()].filter((a) => a === null)).toEqual([]);
    const counts = countsOf(assignees, ids);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(44);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    const events = announced();
    for (const chat of chats) expect(events.get(chat.conversation.id), `conversation ${chat.conversation.id}`).toEqual([assignees.get(chat.conversation.id)]);
  });

  it('never exceeds the limit, and hands the oldest waiting ones out once when slots free on either node', async () => {
    const { admin, ids } = await team();
    await inject(nodes[0] as Parley, 'PATCH', '/api/agent/settings', { auto_assign: true, max_open_per_agent: 10 }, admin);

    const chats = await startMany(40);

    let assignees = await assigneesOf(chats);
    expect(countsOf(assignees, ids)).toEqual([10, 10, 10]);
    const waiting = chats.map((c) => c.conversation.id).filter((id) => assignees.get(id) === null).sort((x, y) => x - y);
    expect(waiting).toHaveLength(10);

    // Kim closes five of hers, on both nodes at once: the five oldest waiting go to Kim, once each.
    const kim = ids[2] as number;
    const kims = chats.map((c) => c.conversation.id).filter((id) => assignees.get(id) === kim).slice(0, 5);
    await Promise.all(kims.map((id, i) => inject(nodes[i % 2] as Parley, 'POST', `/api/agent/conversations/${id}/close`, {}, admin)));

    assignees = await assigneesOf(chats);
    expect(waiting.filter((id) => assignees.get(id) === kim)).toEqual(waiting.slice(0, 5));
    expect(waiting.slice(5).map((id) => assignees.get(id))).toEqual([null, null, null, null, null]);
    const open = await (storages[0] as Storage).db.selectFrom('conversations').select(['assigned_agent_id']).where('status', '=', 'open').execute();
    expect(countsOf(new Map(open.map((r, i) => [i, r.assigned_agent_id === null ? null : Number(r.assigned_agent_id)])), ids)).toEqual([10, 10, 10]);
    const events = announced();
    for (const id of chats.map((c) => c.conversation.id).filter((id) => assignees.get(id) !== null)) expect(events.get(id), `conversation ${id}`).toEqual([assignees.get(id)]);
  });
});

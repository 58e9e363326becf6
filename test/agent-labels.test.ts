import { describe, expect, it } from 'vitest';
import type { AgentConversationDto } from '../src/chat/dto.js';
import type { LabelDto } from '../src/chat/labels.js';
import { AGENT, expectFailure, useAgentApi, type Session } from './support/agent-api.js';
import { ENGINES } from './support/engines.js';

// Labels (docs/api.md, "Labels"): admins define them, any agent applies them, the inbox filters by them.

describe.each(ENGINES)('labels on %s', (engine) => {
  const api = useAgentApi(engine);
  const { get, post, startChat, transcript, inbox, createAgent, eventsNamed } = api;
  const put = (url: string, json: unknown, session: Session = api.admin) => api.h.request({ method: 'PUT', url, json, headers: session.headers });
  const del = (url: string, session: Session = api.admin) => api.h.request({ method: 'DELETE', url, headers: session.headers });
  const createLabel = async (name: string, color?: string): Promise<LabelDto> => {
    const res = await post('/api/agent/labels', color === undefined ? { name } : { name, color });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ label: LabelDto }>().label;
  };
  const labelsOf = async (id: number) => (await transcript(id)).conversation.labels;
  const asAgent = async (): Promise<Session> => {
    await createAgent();
    return api.h.loginAs(AGENT.email, AGENT.password);
  };

  it('lets an admin create labels that every agent lists, by name', async () => {
    const bug = await createLabel('Bug', '#B42318');
    await createLabel('billing');
    expect(bug).toEqual({ id: expect.any(Number), name: 'Bug', color: '#b42318' });
    const sam = await asAgent();
    const res = await get('/api/agent/labels', sam);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ labels: LabelDto[] }>().labels.map((l) => [l.name, l.color])).toEqual([
      ['Bug', '#b42318'],
      ['billing', null],
    ]);
  });

  it('refuses a name another label has, whatever its case, with 409 label_taken', async () => {
    await createLabel('Urgent');
    expectFailure(await post('/api/agent/labels', { name: 'urgent' }), 409, 'label_taken', 'name');
    expectFailure(await post('/api/agent/labels', { name: '  URGENT ' }), 409, 'label_taken', 'name');
  });

  it.each([
    ['a missing name', {}, 'name'],
    ['a blank name', { name: '   ' }, 'name'],
    ['a name over 40 characters', { name: 'x'.repeat(41) }, 'name'],
    ['a colour that is not #rrggbb', { name: 'Bug', color: 'red' }, 'color'],
    ['a short colour', { name: 'Bug', color: '#fff' }, 'color'],
  ])('answers 422 for %s', async (_label, body, field) => {
    expectFailure(await post('/api/agent/labels', body), 422, 'validation_failed', field);
  });

  it('keeps creating and deleting labels to admins (403 for other agents)', async () => {
    const bug = await createLabel('Bug');
    const sam = await asAgent();
    expectFailure(await post('/api/agent/labels', { name: 'Mine' }, sam), 403, 'forbidden');
    expectFailure(await del(`/api/agent/labels/${bug.id}`, sam), 403, 'forbidden');
  });

  it('needs a session and the CSRF token', async () => {
    expectFailure(await api.h.request({ method: 'GET', url: '/api/agent/labels' }), 401, 'unauthenticated');
    expectFailure(await api.h.request({ method: 'POST', url: '/api/agent/labels', json: { name: 'x' }, headers: { cookie: api.admin.cookie } }), 403, 'csrf_mismatch');
  });

  it('applies labels by name, replacing the set, and publishes ConversationUpdated', async () => {
    await createLabel('Bug', '#b42318');
    await createLabel('VIP');
    const chat = await startChat();
    const sam = await asAgent();
    const res = await put(`/api/agent/conversations/${chat.conversation.id}/labels`, { labels: ['vip', 'Bug'] }, sam);
    expect(res.statusCode, res.body).toBe(200);
    const { conversation } = res.json<{ conversation: AgentConversationDto }>();
    expect(conversation.labels).toEqual([
      { name: 'Bug', color: '#b42318' },
      { name: 'VIP', color: null },
    ]);
    expect(eventsNamed('ConversationUpdated').at(-1)).toEqual({ name: 'ConversationUpdated', conversation });

    await put(`/api/agent/conversations/${chat.conversation.id}/labels`, { labels: ['VIP'] }, sam);
    expect(await labelsOf(chat.conversation.id)).toEqual([{ name: 'VIP', color: null }]);
    await put(`/api/agent/conversations/${chat.conversation.id}/labels`, { labels: [] }, sam);
    expect(await labelsOf(chat.conversation.id)).toEqual([]);
  });

  it('answers 422 naming labels for an unknown name, and changes nothing', async () => {
    await createLabel('Bug');
    const chat = await startChat();
    await put(`/api/agent/conversations/${chat.conversation.id}/labels`, { labels: ['Bug'] });
    const events = api.h.events.events.length;
    const error = expectFailure(await put(`/api/agent/conversations/${chat.conversation.id}/labels`, { labels: ['Bug', 'Nope'] }), 422, 'validation_failed', 'labels');
    expect(error.message).toContain('Nope');
    expect(await labelsOf(chat.conversation.id)).toEqual([{ name: 'Bug', color: null }]);
    expect(api.h.events.events).toHaveLength(events);
  });

  it('answers 422 for a body without a list, and 404 for an unknown conversation', async () => {
    const chat = await startChat();
    expectFailure(await put(`/api/agent/conversations/${chat.conversation.id}/labels`, { labels: 'Bug' }), 422, 'validation_failed', 'labels');
    expectFailure(await put(`/api/agent/conversations/${chat.conversation.id}/labels`, {}), 422, 'validation_failed', 'labels');
    expectFailure(await put('/api/agent/conversations/987654/labels', { labels: [] }), 404, 'not_found');
  });

  it('filters the inbox by label (case-insensitively), page by page', async () => {
    await createLabel('Bug');
    const chats = [];
    for (let i = 0; i < 5; i++) chats.push(await startChat());
    const labelled = [chats[0], chats[2], chats[4]].map((c) => c?.conversation.id as number);
    for (const id of labelled) await put(`/api/agent/conversations/${id}/labels`, { labels: ['Bug'] });

    const first = await inbox('?label=bug&limit=2');
    expect(first.conversations.map((c) => c.id)).toEqual([labelled[2], labelled[1]]);
    expect(first.conversations.every((c) => c.labels.some((l) => l.name === 'Bug'))).toBe(true);
    const second = await inbox(`?label=Bug&limit=2&cursor=${first.next_cursor}`);
    expect(second.conversations.map((c) => c.id)).toEqual([labelled[0]]);
    expect(second.next_cursor).toBeNull();
    expect((await inbox('?label=Other')).conversations).toEqual([]);
    expect((await inbox()).conversations).toHaveLength(5);
  });

  it('deletes a label from every conversation', async () => {
    const bug = await createLabel('Bug');
    const chat = await startChat();
    await put(`/api/agent/conversations/${chat.conversation.id}/labels`, { labels: ['Bug'] });
    const res = await del(`/api/agent/labels/${bug.id}`);
    expect(res.statusCode, res.body).toBe(204);
    expect(await labelsOf(chat.conversation.id)).toEqual([]);
    expect((await get('/api/agent/labels')).json<{ labels: LabelDto[] }>().labels).toEqual([]);
    expectFailure(await del(`/api/agent/labels/${bug.id}`), 404, 'not_found');
  });

  it('shows each inbox row with its own labels', async () => {
    await createLabel('Bug');
    const a = await startChat();
    const b = await startChat();
    await put(`/api/agent/conversations/${a.conversation.id}/labels`, { labels: ['Bug'] });
    const rows = (await inbox()).conversations;
    expect(rows.find((c) => c.id === a.conversation.id)?.labels).toEqual([{ name: 'Bug', color: null }]);
    expect(rows.find((c) => c.id === b.conversation.id)?.labels).toEqual([]);
  });
});

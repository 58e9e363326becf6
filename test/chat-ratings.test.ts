import { describe, expect, it } from 'vitest';
import type { AgentConversationDto, RatingDto } from '../src/chat/dto.js';
import type { RatingReport } from '../src/chat/rating-report.js';
import { AGENT, expectFailure, useAgentApi, type StartAnswer } from './support/agent-api.js';
import { ENGINES } from './support/engines.js';

// Ratings (docs/api.md, "Ratings"): the visitor rates a closed conversation once; agents see it and an admin report.

const WEEK = 7 * 86_400_000;

describe.each(ENGINES)('ratings on %s', (engine) => {
  const api = useAgentApi(engine);
  const { get, post, startChat, transcript, reply, createAgent, adminId, eventsNamed } = api;
  const rate = (chat: StartAnswer, json: unknown, token = chat.visitor_token) =>
    api.h.request({ method: 'POST', url: `/api/chat/${chat.conversation.id}/rating`, json, headers: { authorization: `Bearer ${token}` } });
  const close = async (chat: StartAnswer) => expect((await post(`/api/agent/conversations/${chat.conversation.id}/close`, {})).statusCode).toBe(200);
  const closedChat = async (): Promise<StartAnswer> => {
    const chat = await startChat();
    await post(`/api/agent/conversations/${chat.conversation.id}/assign`, {});
    await close(chat);
    return chat;
  };

  it('stores the rating of a closed conversation, shows it to agents and publishes ConversationUpdated', async () => {
    const chat = await closedChat();
    const res = await rate(chat, { score: 4, comment: '  Quick and kind.  ' });
    expect(res.statusCode, res.body).toBe(201);
    const rating = res.json<{ rating: RatingDto }>().rating;
    expect(rating).toEqual({ score: 4, comment: 'Quick and kind.', created_at: new Date(api.h.clock.now()).toISOString() });
    expect((await transcript(chat.conversation.id)).conversation.rating).toEqual(rating);
    const updated = eventsNamed('ConversationUpdated').at(-1);
    expect(updated?.conversation).toMatchObject({ id: chat.conversation.id, rating });
  });

  it('takes a rating without a comment', async () => {
    const chat = await closedChat();
    expect((await rate(chat, { score: 1 })).json<{ rating: RatingDto }>().rating).toMatchObject({ score: 1, comment: null });
  });

  it('refuses an open conversation with 409 conversation_open', async () => {
    const chat = await startChat();
    expectFailure(await rate(chat, { score: 5 }), 409, 'conversation_open');
    expect((await transcript(chat.conversation.id)).conversation.rating).toBeNull();
  });

  it('takes one rating per conversation: a second is 409 already_rated and the first stands', async () => {
    const chat = await closedChat();
    await rate(chat, { score: 2 });
    expectFailure(await rate(chat, { score: 5 }), 409, 'already_rated');
    expect((await transcript(chat.conversation.id)).conversation.rating?.score).toBe(2);
  });

  it.each([
    ['a missing score', {}, 'score'],
    ['a score of 0', { score: 0 }, 'score'],
    ['a score of 6', { score: 6 }, 'score'],
    ['a fractional score', { score: 3.5 }, 'score'],
    ['a score as text', { score: '5' }, 'score'],
    ['a comment over 1000 characters', { score: 3, comment: 'x'.repeat(1001) }, 'comment'],
  ])('answers 422 for %s', async (_label, body, field) => {
    const chat = await closedChat();
    expectFailure(await rate(chat, body), 422, 'validation_failed', field);
  });

  it('answers 404 without the conversation’s token', async () => {
    const chat = await closedChat();
    const other = await startChat();
    expectFailure(await rate(chat, { score: 5 }, other.visitor_token), 404, 'not_found');
    expectFailure(await api.h.request({ method: 'POST', url: `/api/chat/${chat.conversation.id}/rating`, json: { score: 5 } }), 404, 'not_found');
  });

  it('credits the assignee, or the agent who replied last when nobody is assigned', async () => {
    const sam = await createAgent();
    const samSession = await api.h.loginAs(AGENT.email, AGENT.password);
    const assigned = await startChat();
    await post(`/api/agent/conversations/${assigned.conversation.id}/assign`, { agent_id: sam.id });
    await close(assigned);
    await rate(assigned, { score: 5 });

    const unassigned = await startChat();
    await reply(unassigned.conversation.id, 'First answer');
    await reply(unassigned.conversation.id, 'Last answer', undefined, samSession);
    await close(unassigned);
    await rate(unassigned, { score: 3 });

    const nobody = await startChat();
    await close(nobody);
    await rate(nobody, { score: 1 });

    const report = (await get('/api/agent/reports/ratings?weeks=1')).json<RatingReport>();
    expect(report.agents.map((a) => [a.agent_id, a.count, a.average])).toEqual([
      [sam.id, 2, 4],
      [null, 1, 1],
    ]);
  });

  it('reports per agent and ISO week: count, average and change from the week before', async () => {
    const me = await adminId();
    const now = api.h.clock.now();
    // Rated now, then dated back: the report reads when each rating was given.
    const rateAt = async (score: number, weeksAgo: number) => {
      const chat = await closedChat();
      await rate(chat, { score });
      await api.h.parley.storage.db.updateTable('conversation_ratings').set({ created_at: now - weeksAgo * WEEK }).where('conversation_id', '=', chat.conversation.id).execute();
    };
    await rateAt(2, 2);
    await rateAt(4, 2);
    await rateAt(5, 1);
    await rateAt(4, 0);
    await rateAt(1, 13);

    const res = await get('/api/agent/reports/ratings?weeks=3');
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json<RatingReport>();
    expect(report.weeks).toHaveLength(3);
    expect(report.weeks.every((w) => /^\d{4}-W\d{2}$/.test(w))).toBe(true);
    const [admin] = report.agents;
    expect(report.agents).toHaveLength(1);
    expect(admin).toMatchObject({ agent_id: me, name: 'Admin', count: 4, average: 3.75 });
    expect(admin?.weeks.map((w) => [w.count, w.average, w.change])).toEqual([
      [2, 3, null],
      [1, 5, 2],
      [1, 4, -1],
    ]);
    expect((await get('/api/agent/reports/ratings')).json<RatingReport>().weeks).toHaveLength(12);
  });

  it('keeps the report to admins and checks weeks', async () => {
    await createAgent();
    const sam = await api.h.loginAs(AGENT.email, AGENT.password);
    expectFailure(await get('/api/agent/reports/ratings', sam), 403, 'forbidden');
    expectFailure(await get('/api/agent/reports/ratings?weeks=0'), 422, 'validation_failed', 'weeks');
    expectFailure(await get('/api/agent/reports/ratings?weeks=53'), 422, 'validation_failed', 'weeks');
    expectFailure(await api.h.request({ method: 'GET', url: '/api/agent/reports/ratings' }), 401, 'unauthenticated');
  });

  it('shows agents each conversation’s rating in the inbox', async () => {
    const chat = await closedChat();
    await rate(chat, { score: 5 });
    const rows = (await get('/api/agent/conversations?status=closed')).json<{ conversations: AgentConversationDto[] }>().conversations;
    expect(rows.find((c) => c.id === chat.conversation.id)?.rating?.score).toBe(5);
  });
});

import { describe, expect, it } from 'vitest';
import type { AgentConversationDto } from '../src/chat/dto.js';
import { AGENT, expectFailure, type StartAnswer, useAgentApi } from './support/agent-api.js';
import { ENGINES } from './support/engines.js';

// Agent API: assign, close and reopen a conversation, and mark it read.

describe.each(ENGINES)('agent API on %s', (engine) => {
  const api = useAgentApi(engine);
  const { post, patch, startChat, visitorSend, transcript, inbox, reply, createAgent, adminId, eventsNamed } = api;

  describe('assign, close and reopen', () => {
    it('assigns to the requesting agent by default and records ConversationUpdated', async () => {
      const chat = await startChat();
      const me = await adminId();
      const res = await post(`/api/agent/conversations/${chat.conversation.id}/assign`, {});
      expect(res.statusCode, res.body).toBe(200);
      const { conversation } = res.json<{ conversation: AgentConversationDto }>();
      expect(conversation).toMatchObject({ id: chat.conversation.id, assigned_agent_id: me, agent: { id: me, name: 'Admin' } });
      expect(api.h.events.events.at(-1)).toEqual({ name: 'ConversationUpdated', conversation, change: 'assigned' });
    });

    it('assigns with no body at all', async () => {
      const chat = await startChat();
      const res = await post(`/api/agent/conversations/${chat.conversation.id}/assign`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<{ conversation: AgentConversationDto }>().conversation.assigned_agent_id).toBe(await adminId());
    });

    it('assigns to another agent by agent_id, and unassigns with agent_id null', async () => {
      const chat = await startChat();
      const sam = await createAgent();
      const assigned = await post(`/api/agent/conversations/${chat.conversation.id}/assign`, { agent_id: sam.id });
      expect(assigned.json<{ conversation: AgentConversationDto }>().conversation).toMatchObject({ assigned_agent_id: sam.id, agent: { id: sam.id, name: AGENT.name } });
      const unassigned = await post(`/api/agent/conversations/${chat.conversation.id}/assign`, { agent_id: null });
      expect(unassigned.statusCode, unassigned.body).toBe(200);
      const { conversation } = unassigned.json<{ conversation: AgentConversationDto }>();
      expect(conversation).toMatchObject({ assigned_agent_id: null, agent: null });
      expect(api.h.events.events.at(-1)).toEqual({ name: 'ConversationUpdated', conversation, change: 'assigned' });
      expect((await transcript(chat.conversation.id)).conversation.assigned_agent_id).toBeNull();
    });

    it('tells the visitor who is assigned, by name', async () => {
      const chat = await startChat();
      await post(`/api/agent/conversations/${chat.conversation.id}/assign`, {});
      const status = await api.h.request({ method: 'GET', url: `/api/chat/${chat.conversation.id}/status`, headers: { authorization: `Bearer ${chat.visitor_token}` } });
      expect(status.json<{ agent: unknown }>().agent).toEqual({ id: await adminId(), name: 'Admin' });
    });

    it.each([
      ['an unknown agent id', 987654],
      ['an agent id that is not a number', 'sam'],
      ['a negative agent id', -3],
      ['a fractional agent id', 1.5],
    ])('answers 422 naming agent_id for %s, and changes nothing', async (_label, agentId) => {
      const chat = await startChat();
      const events = api.h.events.events.length;
      expectFailure(await post(`/api/agent/conversations/${chat.conversation.id}/assign`, { agent_id: agentId }), 422, 'validation_failed', 'agent_id');
      expect((await transcript(chat.conversation.id)).conversation.assigned_agent_id).toBeNull();
      expect(api.h.events.events).toHaveLength(events);
    });

    it('refuses to assign a deactivated agent (422 naming agent_id)', async () => {
      const chat = await startChat();
      const sam = await createAgent();
      expect((await patch(`/api/agent/agents/${sam.id}`, { active: false })).statusCode).toBe(200);
      expectFailure(await post(`/api/agent/conversations/${chat.conversation.id}/assign`, { agent_id: sam.id }), 422, 'validation_failed', 'agent_id');
    });

    it('answers 404 not_found for assign, close and reopen of an unknown conversation', async () => {
      const events = api.h.events.events.length;
      for (const action of ['assign', 'close', 'reopen']) {
        expectFailure(await post(`/api/agent/conversations/777777/${action}`, {}), 404, 'not_found');
        expectFailure(await post(`/api/agent/conversations/nope/${action}`, {}), 404, 'not_found');
      }
      expect(api.h.events.events).toHaveLength(events);
    });

    it('closes a conversation: answers {conversation}, records ConversationUpdated, and the visitor can no longer send (409)', async () => {
      const chat = await startChat();
      api.h.clock.advance(60_000);
      const res = await post(`/api/agent/conversations/${chat.conversation.id}/close`);
      expect(res.statusCode, res.body).toBe(200);
      const { conversation } = res.json<{ conversation: AgentConversationDto }>();
      expect(conversation).toMatchObject({ id: chat.conversation.id, status: 'closed', closed_at: new Date(api.h.clock.now()).toISOString() });
      expect(api.h.events.events.at(-1)).toEqual({ name: 'ConversationUpdated', conversation });
      expectFailure(await visitorSend(chat, 'hello?'), 409, 'conversation_closed');
      expect((await transcript(chat.conversation.id)).messages).toHaveLength(1);
    });

    it('reopens a closed conversation: answers {conversation}, records ConversationUpdated, and the visitor can send again', async () => {
      const chat = await startChat();
      await post(`/api/agent/conversations/${chat.conversation.id}/close`);
      api.h.clock.advance(1000);
      const res = await post(`/api/agent/conversations/${chat.conversation.id}/reopen`);
      expect(res.statusCode, res.body).toBe(200);
      const { conversation } = res.json<{ conversation: AgentConversationDto }>();
      expect(conversation).toMatchObject({ status: 'open', closed_at: null, last_activity_at: new Date(api.h.clock.now()).toISOString() });
      expect(api.h.events.events.at(-1)).toEqual({ name: 'ConversationUpdated', conversation });
      expect((await visitorSend(chat, 'thanks for reopening')).statusCode).toBe(201);
      expect((await reply(chat.conversation.id, 'you are welcome')).statusCode).toBe(201);
    });
  });

  describe('read', () => {
    it('answers 204, records MessagesRead with the agent as reader, and unread_count drops to 0', async () => {
      const chat = await startChat({ message: 'one' });
      await visitorSend(chat, 'two');
      expect((await transcript(chat.conversation.id)).conversation.unread_count).toBe(2);
      const res = await post(`/api/agent/conversations/${chat.conversation.id}/read`, { seq: 2 });
      expect(res.statusCode, res.body).toBe(204);
      expect(res.body).toBe('');
      expect(api.h.events.events.at(-1)).toEqual({
        name: 'MessagesRead',
        conversationId: chat.conversation.id,
        reader: { type: 'agent', id: await adminId(), name: 'Admin' },
        seq: 2,
      });
      const row = (await inbox()).conversations.find((c) => c.id === chat.conversation.id);
      expect(row).toMatchObject({ unread_count: 0, agent_read_seq: 2 });
    });

    it('counts messages after the read marker as unread', async () => {
      const chat = await startChat({ message: 'one' });
      await visitorSend(chat, 'two');
      await post(`/api/agent/conversations/${chat.conversation.id}/read`, { seq: 1 });
      expect((await transcript(chat.conversation.id)).conversation.unread_count).toBe(1);
      await visitorSend(chat, 'three');
      expect((await transcript(chat.conversation.id)).conversation.unread_count).toBe(2);
    });

    it('shows the agent read marker to the visitor', async () => {
      const chat = await startChat({ message: 'one' });
      await post(`/api/agent/conversations/${chat.conversation.id}/read`, { seq: 1 });
      const status = await api.h.request({ method: 'POST', url: '/api/chat/start', json: { conversation_id: chat.conversation.id }, headers: { authorization: `Bearer ${chat.visitor_token}` } });
      expect(status.json<StartAnswer>().conversation.agent_read_seq).toBe(1);
    });

    it('never moves the marker backwards or past the last message', async () => {
      const chat = await startChat({ message: 'one' });
      await visitorSend(chat, 'two');
      await post(`/api/agent/conversations/${chat.conversation.id}/read`, { seq: 50 });
      expect(eventsNamed('MessagesRead').at(-1)?.seq).toBe(2);
      await post(`/api/agent/conversations/${chat.conversation.id}/read`, { seq: 1 });
      expect(eventsNamed('MessagesRead').at(-1)?.seq).toBe(2);
      expect((await transcript(chat.conversation.id)).conversation.agent_read_seq).toBe(2);
    });

    it('accepts a seq beyond 32-bit range, capped at the last message', async () => {
      const chat = await startChat({ message: 'one' });
      const res = await post(`/api/agent/conversations/${chat.conversation.id}/read`, { seq: 3_000_000_000 });
      expect(res.statusCode, res.body).toBe(204);
      expect((await transcript(chat.conversation.id)).conversation.agent_read_seq).toBe(1);
    });

    it.each([
      ['a missing seq', {}],
      ['a negative seq', { seq: -1 }],
      ['a fractional seq', { seq: 1.5 }],
      ['a seq that is not a number', { seq: '1' }],
    ])('answers 422 naming seq for %s', async (_label, json) => {
      const chat = await startChat();
      expectFailure(await post(`/api/agent/conversations/${chat.conversation.id}/read`, json), 422, 'validation_failed', 'seq');
    });

    it('answers 404 not_found for an unknown conversation', async () => {
      expectFailure(await post('/api/agent/conversations/31337/read', { seq: 1 }), 404, 'not_found');
    });
  });
});

import { describe, expect, it } from 'vitest';
import { toBroadcasts } from '../src/chat/broadcaster.js';
import type { MessageDto, NoteDto } from '../src/chat/dto.js';
import { conversationChannel } from '../src/chat/realtime-contract.js';
import { AGENT, expectFailure, newClientId, newFingerprint, useAgentApi, type StartAnswer, type Transcript } from './support/agent-api.js';
import { ENGINES } from './support/engines.js';

// Internal notes (docs/api.md, "Internal notes"): agents write them on a conversation, agents read
// them with it, and the visitor never sees them by any path, nor a gap in their `seq`.

type WithNotes = Transcript & { notes: NoteDto[] };
const SECRET = 'Refund approved, do not tell the customer yet';

describe.each(ENGINES)('internal notes on %s', (engine) => {
  const api = useAgentApi(engine);
  const { post, startChat, visitorSend, visitorMessages, reply, createAgent, adminId, eventsNamed } = api;

  const writeNote = (id: number, body: string, clientMessageId: string | null = newClientId('n'), session = api.admin) =>
    post(`/api/agent/conversations/${id}/notes`, clientMessageId === null ? { body } : { body, client_message_id: clientMessageId }, session);
  const noteOf = async (id: number, body: string, clientMessageId?: string): Promise<NoteDto> => {
    const res = await writeNote(id, body, clientMessageId);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ note: NoteDto }>().note;
  };
  const withNotes = async (id: number): Promise<WithNotes> => {
    const res = await api.get(`/api/agent/conversations/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<WithNotes>();
  };

  it('stores a note after the last message, answers 201 and shows it with the conversation', async () => {
    const chat = await startChat({ message: 'Where is my refund?' });
    const note = await noteOf(chat.conversation.id, SECRET, 'n-1');
    expect(note).toEqual({
      id: expect.any(Number),
      conversation_id: chat.conversation.id,
      body: SECRET,
      author_name: 'Admin',
      agent_id: await adminId(),
      after_seq: 1,
      client_message_id: 'n-1',
      created_at: expect.any(String),
      mentions: [],
    });
    const seen = await withNotes(chat.conversation.id);
    expect(seen.notes).toEqual([note]);
    expect(seen.messages.map((m) => m.body)).toEqual(['Where is my refund?']);
  });

  it('places notes among the messages by after_seq, then by time', async () => {
    const chat = await startChat({ message: 'one' });
    await noteOf(chat.conversation.id, 'first note');
    await reply(chat.conversation.id, 'two');
    api.h.clock.advance(1000);
    await noteOf(chat.conversation.id, 'second note');
    api.h.clock.advance(1000);
    await noteOf(chat.conversation.id, 'third note');
    const notes = (await withNotes(chat.conversation.id)).notes;
    expect(notes.map((n) => [n.after_seq, n.body])).toEqual([
      [1, 'first note'],
      [2, 'second note'],
      [2, 'third note'],
    ]);
  });

  it('answers 200 with the stored note when the client_message_id repeats, and announces it once', async () => {
    const chat = await startChat();
    const first = await noteOf(chat.conversation.id, SECRET, 'same-id');
    const again = await writeNote(chat.conversation.id, 'typed again', 'same-id');
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json<{ note: NoteDto }>().note).toEqual(first);
    expect((await withNotes(chat.conversation.id)).notes).toHaveLength(1);
    expect(eventsNamed('NoteAdded')).toHaveLength(1);
  });

  it('takes notes on closed conversations', async () => {
    const chat = await startChat();
    expect((await post(`/api/agent/conversations/${chat.conversation.id}/close`, {})).statusCode).toBe(200);
    await noteOf(chat.conversation.id, 'closed: customer called instead');
    expect((await withNotes(chat.conversation.id)).notes).toHaveLength(1);
  });

  it('lets any agent write one, under their own name', async () => {
    const chat = await startChat();
    const sam = await createAgent();
    const session = await api.h.loginAs(AGENT.email, AGENT.password);
    const res = await writeNote(chat.conversation.id, 'Sam was here', null, session);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json<{ note: NoteDto }>().note).toMatchObject({ agent_id: sam.id, author_name: AGENT.name });
    expect(res.json<{ note: NoteDto }>().note).not.toHaveProperty('client_message_id');
  });

  it.each([
    ['no body', {}],
    ['a blank body', { body: '   ' }],
    ['a body over 5000 characters', { body: 'x'.repeat(5001) }],
    ['a body that is not a string', { body: 42 }],
  ])('answers 422 naming body for %s', async (_label, json) => {
    const chat = await startChat();
    expectFailure(await post(`/api/agent/conversations/${chat.conversation.id}/notes`, json), 422, 'validation_failed', 'body');
    expect((await withNotes(chat.conversation.id)).notes).toEqual([]);
  });

  it('takes a body of exactly 5000 characters', async () => {
    const chat = await startChat();
    expect((await writeNote(chat.conversation.id, 'x'.repeat(5000))).statusCode).toBe(201);
  });

  it('answers 422 naming client_message_id when it is malformed', async () => {
    const chat = await startChat();
    expectFailure(await writeNote(chat.conversation.id, 'hi', 'not valid!'), 422, 'validation_failed', 'client_message_id');
  });

  it('answers 404 for an unknown conversation, 401 without a session and 403 without the CSRF token', async () => {
    expectFailure(await writeNote(987654, 'hi'), 404, 'not_found');
    expectFailure(await writeNote(0, 'hi'), 404, 'not_found');
    const chat = await startChat();
    expectFailure(await api.call('POST', `/api/agent/conversations/${chat.conversation.id}/notes`, { body: 'hi' }, null), 401, 'unauthenticated');
    expectFailure(await api.call('POST', `/api/agent/conversations/${chat.conversation.id}/notes`, { body: 'hi' }, null, { cookie: api.admin.cookie }), 403, 'csrf_mismatch');
  });

  describe('mentions', () => {
    it('names active agents by @Name, case-insensitive, full names with spaces included', async () => {
      const chat = await startChat();
      const sam = await createAgent();
      const kim = await createAgent({ email: 'kim@example.test', name: 'Kim', password: 'kim password 123' });
      const note = await noteOf(chat.conversation.id, `@sam agent and @KIM, please look; not @Kimberly or kim@example.test`);
      expect(note.mentions).toEqual([sam.id, kim.id]);
    });

    it('never names a deactivated agent', async () => {
      const chat = await startChat();
      const sam = await createAgent();
      expect((await api.patch(`/api/agent/agents/${sam.id}`, { active: false })).statusCode).toBe(200);
      expect((await noteOf(chat.conversation.id, '@Sam Agent?')).mentions).toEqual([]);
    });
  });

  describe('never visible to the visitor', () => {
    it('keeps notes out of messages: the visitor reads a gap-free seq and no note', async () => {
      const chat = await startChat({ message: 'hello' });
      await noteOf(chat.conversation.id, SECRET);
      await reply(chat.conversation.id, 'agent reply');
      await noteOf(chat.conversation.id, `${SECRET} (2)`);
      const sent = await visitorSend(chat, 'visitor again');
      expect(sent.json<{ message: MessageDto }>().message.seq).toBe(3);
      const messages = await visitorMessages(chat);
      expect(messages.map((m) => m.seq)).toEqual([1, 2, 3]);
      expect(JSON.stringify(messages)).not.toContain(SECRET);
      const status = await api.h.request({ method: 'GET', url: `/api/chat/${chat.conversation.id}/status`, headers: { authorization: `Bearer ${chat.visitor_token}` } });
      expect(status.body).not.toContain(SECRET);
      expect((await withNotes(chat.conversation.id)).conversation.last_seq).toBe(3);
    });

    it('announces NoteAdded on private-agents only, never on the conversation channel', async () => {
      const chat = await startChat();
      const note = await noteOf(chat.conversation.id, SECRET);
      expect(eventsNamed('NoteAdded')).toEqual([{ name: 'NoteAdded', note }]);
      const broadcasts = api.h.events.events.flatMap(toBroadcasts);
      const onVisitorChannel = broadcasts.filter((b) => (b.channels as string[]).includes(conversationChannel(chat.conversation.id)));
      expect(onVisitorChannel.length).toBeGreaterThan(0);
      expect(JSON.stringify(onVisitorChannel)).not.toContain(SECRET);
      expect(broadcasts.filter((b) => b.event === 'NoteAdded')).toEqual([{ channels: ['private-agents'], event: 'NoteAdded', data: { note } }]);
    });

    it('leaves notes out of the start, resume and lookup answers', async () => {
      // Lookups match conversations started from the same site only.
      const origin = { origin: 'https://shop.example' };
      const fingerprint = newFingerprint();
      const started = await api.h.request({ method: 'POST', url: '/api/chat/start', headers: origin, json: { fingerprint, message: 'hello', client_message_id: 'v-1' } });
      expect(started.statusCode, started.body).toBe(201);
      const chat = started.json<StartAnswer>();
      await noteOf(chat.conversation.id, SECRET);
      const answers: string[] = [];
      const resumed = await api.h.request({ method: 'POST', url: '/api/chat/start', headers: { ...origin, authorization: `Bearer ${chat.visitor_token}` }, json: { fingerprint, conversation_id: chat.conversation.id } });
      expect(resumed.statusCode, resumed.body).toBe(200);
      answers.push(resumed.body);
      const device = await api.h.request({ method: 'POST', url: '/api/chat/lookup', headers: origin, json: { fingerprint } });
      expect(device.json<{ match: string }>().match).toBe('device');
      answers.push(device.body);
      const other = { fingerprint: newFingerprint(), headers: { ...origin, 'user-agent': 'Another Browser/2.0' } };
      const network = await api.h.request({ method: 'POST', url: '/api/chat/lookup', json: { fingerprint: other.fingerprint }, headers: other.headers });
      expect(network.json<{ match: string }>().match).toBe('network');
      const joined = await api.h.request({ method: 'POST', url: '/api/chat/resume', headers: other.headers, json: { resume_ticket: network.json<{ resume_ticket: string }>().resume_ticket, fingerprint: other.fingerprint } });
      expect(joined.statusCode, joined.body).toBe(200);
      answers.push(network.body, joined.body);
      for (const answer of answers) expect(answer).not.toContain(SECRET);
      const rejoined = JSON.parse(device.body) as StartAnswer;
      expect(rejoined.messages.map((m) => m.seq)).toEqual([1]);
    });
  });
});

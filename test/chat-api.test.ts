import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOIN_NOTE } from '../src/chat/chat-service.js';
import type { MessageDto } from '../src/chat/dto.js';
import { ENGINES, skipEngine } from './support/engines.js';
import { startHarness, type Harness } from './support/harness.js';

const FP_A = 'a'.repeat(64);
const FP_B = 'b'.repeat(64);
const IP_1 = '203.0.113.10';
const IP_2 = '198.51.100.20';
const HOUR = 3_600_000;
/** The site embedding the widget: rules 5 and 6 match only requests from the site that started the conversation. */
const SITE = 'https://shop.example';

interface Started {
  conversation: { id: number; status: string; last_seq: number };
  visitor_token: string;
  messages: MessageDto[];
  resumed: boolean;
}

describe.each(ENGINES)('customer chat API on %s', (engine) => {
  let h: Harness;

  beforeEach(async (ctx) => {
    if (skipEngine(engine)) return ctx.skip();
    h = await startHarness(engine);
  });
  afterEach(async () => {
    await h?.close();
  });

  const start = async (json: Record<string, unknown> = {}, opts: { ip?: string; ua?: string; token?: string } = {}) => {
    const res = await h.request({
      method: 'POST',
      url: '/api/chat/start',
      ip: opts.ip ?? IP_1,
      json,
      headers: { origin: SITE, ...(opts.ua ? { 'user-agent': opts.ua } : {}), ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
    });
    return { res, body: res.json() as Started };
  };
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const send = (id: number, token: string, json: unknown, ip = IP_1) =>
    h.request({ method: 'POST', url: `/api/chat/${id}/messages`, headers: auth(token), json, ip });
  const poll = async (id: number, token: string, after = 0) => {
    const res = await h.request({ method: 'GET', url: `/api/chat/${id}/messages?after=${after}`, headers: auth(token) });
    return res.json() as { messages: MessageDto[]; last_seq: number };
  };
  const status = (id: number, token: string) => h.request({ method: 'GET', url: `/api/chat/${id}/status`, headers: auth(token) });
  const lookup = (fingerprint: string, ip: string, ua?: string) =>
    h.request({ method: 'POST', url: '/api/chat/lookup', ip, json: { fingerprint }, headers: { origin: SITE, ...(ua ? { 'user-agent': ua } : {}) } });

  describe('starting and talking', () => {
    it('starts a conversation with a first message and answers 201 with a visitor token', async () => {
      const { res, body } = await start({ fingerprint: FP_A, name: 'Ann', message: 'Hello', client_message_id: 'c1', page_url: 'https://shop.example/cart' });
      expect(res.statusCode).toBe(201);
      expect(body.resumed).toBe(false);
      expect(body.visitor_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(body.conversation).toMatchObject({ status: 'open', last_seq: 1 });
      expect(body.messages).toMatchObject([{ seq: 1, sender: 'visitor', body: 'Hello', client_message_id: 'c1' }]);
    });

    it('stores the fingerprint and token only as keyed hashes, with the IP and user agent', async () => {
      const { body } = await start({ fingerprint: FP_A });
      const row = await h.parley.storage.db.selectFrom('conversations').selectAll().where('id', '=', body.conversation.id).executeTakeFirstOrThrow();
      expect(row.client_fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(row.client_fingerprint).not.toBe(FP_A);
      expect(row.visitor_token_hash).not.toContain(body.visitor_token);
      expect(row.client_ip).toBe(IP_1);
      expect(row.user_agent).toContain('ParleyTest');
    });

    it('sends, then polls only what came after a seq', async () => {
      const { body } = await start({ message: 'one' });
      const id = body.conversation.id;
      expect((await send(id, body.visitor_token, { body: 'two', client_message_id: 'c2' })).statusCode).toBe(201);
      expect((await send(id, body.visitor_token, { body: 'three' })).statusCode).toBe(201);
      const after1 = await poll(id, body.visitor_token, 1);
      expect(after1.messages.map((m) => [m.seq, m.body])).toEqual([
        [2, 'two'],
        [3, 'three'],
      ]);
      expect(after1.last_seq).toBe(3);
      expect((await poll(id, body.visitor_token, 3)).messages).toEqual([]);
    });

    it('answers the same message with 200 when a client_message_id is sent again, storing it once', async () => {
      const { body } = await start();
      const id = body.conversation.id;
      const first = await send(id, body.visitor_token, { body: 'retry me', client_message_id: 'retry-1' });
      const again = await send(id, body.visitor_token, { body: 'retry me', client_message_id: 'retry-1' });
      expect(first.statusCode).toBe(201);
      expect(again.statusCode).toBe(200);
      expect(again.json().message).toEqual(first.json().message);
      expect((await poll(id, body.visitor_token)).messages).toHaveLength(1);
      expect(h.events.events.filter((e) => e.name === 'MessageSent')).toHaveLength(1);
    });

    it('keeps 30 concurrent sends, 10 of them retries, as exactly 20 messages numbered 1..20', async () => {
      const { body } = await start();
      const id = body.conversation.id;
      const sends = Array.from({ length: 30 }, (_, i) => send(id, body.visitor_token, { body: `m${i % 20}`, client_message_id: `id-${i % 20}` }));
      const codes = (await Promise.all(sends)).map((r) => r.statusCode);
      expect(codes.filter((c) => c === 201)).toHaveLength(20);
      expect(codes.filter((c) => c === 200)).toHaveLength(10);
      const seqs = (await poll(id, body.visitor_token)).messages.map((m) => m.seq);
      expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });

    it('fires 50 sends at once through the API and finds seq 1..50 exactly once each', async () => {
      const { body } = await start();
      const id = body.conversation.id;
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => send(id, body.visitor_token, { body: `burst ${i}`, client_message_id: `b-${i}` })));
      expect(results.every((r) => r.statusCode === 201)).toBe(true);
      const seqs = (await poll(id, body.visitor_token)).messages.map((m) => m.seq).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });

    it('reports status with resumable, last_seq and the assigned agent', async () => {
      const { body } = await start({ message: 'hi' });
      const res = await status(body.conversation.id, body.visitor_token);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: body.conversation.id, status: 'open', resumable: true, last_seq: 1, agent: null });
    });

    it('records the read marker and broadcasts MessagesRead with 204', async () => {
      const { body } = await start({ message: 'hi' });
      const res = await h.request({ method: 'POST', url: `/api/chat/${body.conversation.id}/read`, headers: auth(body.visitor_token), json: { seq: 1 } });
      expect(res.statusCode).toBe(204);
      expect(h.events.events.at(-1)).toMatchObject({ name: 'MessagesRead', conversationId: body.conversation.id, reader: { type: 'visitor' }, seq: 1 });
    });

    it('refuses a send to a closed conversation with 409 and stores nothing', async () => {
      const { body } = await start({ message: 'hi' });
      const agent = await h.loginAs();
      await h.request({ method: 'POST', url: `/api/agent/conversations/${body.conversation.id}/close`, headers: agent.headers });
      const res = await send(body.conversation.id, body.visitor_token, { body: 'anyone?' });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('conversation_closed');
      expect((await poll(body.conversation.id, body.visitor_token)).last_seq).toBe(1);
    });

    it('broadcasts ConversationStarted and then MessageSent, after they are stored', async () => {
      const { body } = await start({ message: 'hi' });
      expect(h.events.events.map((e) => e.name)).toEqual(['ConversationStarted', 'MessageSent']);
      const sent = h.events.events[1];
      const stored = await h.parley.storage.db.selectFrom('messages').selectAll().where('conversation_id', '=', body.conversation.id).execute();
      expect(sent).toMatchObject({ message: { id: stored[0]?.id, seq: 1 } });
    });
  });

  describe('resume rules (docs/api.md, "Session persistence")', () => {
    it('rule 1: a first visit stores fingerprint, IP and user agent and returns a token', async () => {
      const { res, body } = await start({ fingerprint: FP_A, message: 'first' });
      expect(res.statusCode).toBe(201);
      expect(body.visitor_token).toBeTruthy();
    });

    it('rule 2: after a reload the stored id and token resume the open conversation with its transcript', async () => {
      const { body } = await start({ fingerprint: FP_A, message: 'before reload' });
      const res = await status(body.conversation.id, body.visitor_token);
      expect(res.json()).toMatchObject({ status: 'open', resumable: true });
      expect((await poll(body.conversation.id, body.visitor_token)).messages.map((m) => m.body)).toEqual(['before reload']);
      const again = await start({ conversation_id: body.conversation.id, fingerprint: FP_A }, { token: body.visitor_token });
      expect(again.res.statusCode).toBe(200);
      expect(again.body).toMatchObject({ resumed: true, conversation: { id: body.conversation.id } });
      expect(again.body.messages.map((m) => m.body)).toEqual(['before reload']);
    });

    it('rule 3: past the resume window the conversation is no longer resumable and start opens a new one', async () => {
      const { body } = await start({ fingerprint: FP_A, message: 'old' });
      h.clock.advance(24 * HOUR + 1);
      expect((await status(body.conversation.id, body.visitor_token)).json()).toMatchObject({ status: 'open', resumable: false });
      expect((await lookup(FP_A, IP_1)).json()).toEqual({ match: 'none' });
      const again = await start({ conversation_id: body.conversation.id, fingerprint: FP_A }, { token: body.visitor_token });
      expect(again.res.statusCode).toBe(201);
      expect(again.body.conversation.id).not.toBe(body.conversation.id);
    });

    it('rule 3: within the window it still resumes; the window is CHAT_RESUME_WINDOW_HOURS', async () => {
      await h.close();
      h = await startHarness(engine, { CHAT_RESUME_WINDOW_HOURS: '0.5' });
      const { body } = await start({ fingerprint: FP_A, message: 'hi' });
      h.clock.advance(29 * 60_000);
      expect((await status(body.conversation.id, body.visitor_token)).json().resumable).toBe(true);
      h.clock.advance(2 * 60_000);
      expect((await status(body.conversation.id, body.visitor_token)).json().resumable).toBe(false);
    });

    it('rule 3: a closed conversation is not resumed; start opens a new one', async () => {
      const { body } = await start({ fingerprint: FP_A, message: 'hi' });
      const agent = await h.loginAs();
      await h.request({ method: 'POST', url: `/api/agent/conversations/${body.conversation.id}/close`, headers: agent.headers });
      expect((await status(body.conversation.id, body.visitor_token)).json()).toMatchObject({ status: 'closed', resumable: false });
      const again = await start({ conversation_id: body.conversation.id, fingerprint: FP_A, message: 'new question' }, { token: body.visitor_token });
      expect(again.res.statusCode).toBe(201);
      expect(again.body.conversation.id).not.toBe(body.conversation.id);
    });

    it('rule 4: a new device on another network gets nothing and starts a new conversation', async () => {
      await start({ fingerprint: FP_A, message: 'hi' });
      expect((await lookup(FP_B, IP_2)).json()).toEqual({ match: 'none' });
      const other = await start({ fingerprint: FP_B }, { ip: IP_2 });
      expect(other.res.statusCode).toBe(201);
    });

    it('rule 4: the same fingerprint from another IP without the token is a new conversation', async () => {
      const { body } = await start({ fingerprint: FP_A, message: 'private' });
      expect((await lookup(FP_A, IP_2)).json()).toEqual({ match: 'none' });
      const other = await start({ fingerprint: FP_A }, { ip: IP_2 });
      expect(other.res.statusCode).toBe(201);
      expect(other.body.conversation.id).not.toBe(body.conversation.id);
      expect(other.body.messages).toEqual([]);
    });

    it('rule 5: the same network with another device is offered the conversation without its transcript', async () => {
      const { body } = await start({ fingerprint: FP_A, message: 'secret order number 1234' });
      const offer = await lookup(FP_B, IP_1, 'Another Browser/2.0');
      expect(offer.json()).toEqual({ match: 'network', resume_ticket: expect.any(String) });
      expect(offer.body).not.toContain('1234');

      const joined = await h.request({ method: 'POST', url: '/api/chat/resume', headers: { origin: SITE }, ip: IP_1, json: { resume_ticket: offer.json().resume_ticket, fingerprint: FP_B } });
      expect(joined.statusCode).toBe(200);
      const session = joined.json() as Started;
      expect(session.conversation.id).toBe(body.conversation.id);
      expect(session.messages.map((m) => m.body)).toEqual([JOIN_NOTE]);
      expect(session.messages[0]?.sender).toBe('system');

      // The joined device keeps seeing only messages from the join on, also when polling from 0.
      await send(body.conversation.id, session.visitor_token, { body: 'from the new device' });
      expect((await poll(body.conversation.id, session.visitor_token)).messages.map((m) => m.body)).toEqual([JOIN_NOTE, 'from the new device']);
      // The agent sees everything.
      const agent = await h.loginAs();
      const transcript = await h.request({ method: 'GET', url: `/api/agent/conversations/${body.conversation.id}`, headers: agent.headers });
      expect(transcript.json().messages.map((m: MessageDto) => m.body)).toEqual(['secret order number 1234', JOIN_NOTE, 'from the new device']);
    });

    it('rule 5: a resume ticket is single-use, bound to its device and IP, and expires after 10 minutes', async () => {
      await start({ fingerprint: FP_A, message: 'hi' });
      const ticket = async () => (await lookup(FP_B, IP_1)).json().resume_ticket as string;
      const resume = (t: string, fingerprint = FP_B, ip = IP_1) => h.request({ method: 'POST', url: '/api/chat/resume', headers: { origin: SITE }, ip, json: { resume_ticket: t, fingerprint } });

      const once = await ticket();
      expect((await resume(once)).statusCode).toBe(200);
      expect((await resume(once)).statusCode).toBe(404);

      expect((await resume(await ticket(), FP_A)).statusCode).toBe(404);
      expect((await resume(await ticket(), FP_B, IP_2)).statusCode).toBe(404);

      const late = await ticket();
      h.clock.advance(10 * 60_000 + 1);
      const expired = await resume(late);
      expect(expired.statusCode).toBe(404);
      expect(expired.json().error.code).toBe('not_found');
    });

    it('rule 5: the offer points at the most recently active open conversation from that IP', async () => {
      await start({ fingerprint: FP_A, message: 'older' }, { ua: 'UA-older' });
      h.clock.advance(1000);
      const newer = await start({ fingerprint: 'c'.repeat(64), message: 'newer' }, { ua: 'UA-newer' });
      const offer = (await lookup(FP_B, IP_1)).json();
      const joined = await h.request({ method: 'POST', url: '/api/chat/resume', headers: { origin: SITE }, ip: IP_1, json: { resume_ticket: offer.resume_ticket, fingerprint: FP_B } });
      expect(joined.json().conversation.id).toBe(newer.body.conversation.id);
    });

    it('rule 5: CHAT_RESUME_BY_NETWORK=off offers nothing', async () => {
      await h.close();
      h = await startHarness(engine, { CHAT_RESUME_BY_NETWORK: 'off' });
      await start({ fingerprint: FP_A, message: 'hi' });
      expect((await lookup(FP_B, IP_1)).json()).toEqual({ match: 'none' });
    });

    it('rule 6: without storage, an exact fingerprint + IP + user agent match resumes with the transcript, through lookup', async () => {
      const { body } = await start({ fingerprint: FP_A, message: 'remember me' });
      const res = await lookup(FP_A, IP_1);
      expect(res.json()).toMatchObject({ match: 'device', conversation: { id: body.conversation.id }, visitor_token: expect.any(String) });
      expect(res.json().messages.map((m: MessageDto) => m.body)).toEqual(['remember me']);
      const token = res.json().visitor_token as string;
      expect((await poll(body.conversation.id, token)).messages).toHaveLength(1);
    });

    it('rule 6: through start, an exact match answers 200 resumed:true and appends the new message', async () => {
      const { body } = await start({ fingerprint: FP_A, message: 'first visit' });
      const again = await start({ fingerprint: FP_A, message: 'after reload without storage', client_message_id: 'r6' });
      expect(again.res.statusCode).toBe(200);
      expect(again.body.resumed).toBe(true);
      expect(again.body.conversation.id).toBe(body.conversation.id);
      expect(again.body.messages.map((m) => m.body)).toEqual(['first visit', 'after reload without storage']);
    });

    it('rule 6: a different user agent is not an exact match, so start opens a new conversation', async () => {
      const { body } = await start({ fingerprint: FP_A, message: 'hi' });
      const other = await start({ fingerprint: FP_A }, { ua: 'Different/1.0' });
      expect(other.res.statusCode).toBe(201);
      expect(other.body.conversation.id).not.toBe(body.conversation.id);
    });

    it('takes the fingerprint from the X-Client-Fingerprint header when the body has none', async () => {
      const { body } = await start({ message: 'hi' }, {});
      const first = await h.request({ method: 'POST', url: '/api/chat/start', ip: IP_2, json: {}, headers: { origin: SITE, 'x-client-fingerprint': FP_B } });
      expect(first.statusCode).toBe(201);
      const again = await h.request({ method: 'POST', url: '/api/chat/start', ip: IP_2, json: {}, headers: { origin: SITE, 'x-client-fingerprint': FP_B } });
      expect(again.statusCode).toBe(200);
      expect(again.json().conversation.id).toBe(first.json().conversation.id);
      expect(again.json().conversation.id).not.toBe(body.conversation.id);
    });
  });

  describe('uniform 404s', () => {
    it('answers 404 alike for a missing token, a wrong token, another conversation’s token and a missing conversation', async () => {
      const a = await start({ message: 'a' });
      const b = await start({ message: 'b' }, { ip: IP_2 });
      const idA = a.body.conversation.id;
      const answers = await Promise.all([
        h.request({ method: 'GET', url: `/api/chat/${idA}/messages` }),
        h.request({ method: 'GET', url: `/api/chat/${idA}/messages`, headers: auth('x'.repeat(43)) }),
        h.request({ method: 'GET', url: `/api/chat/${idA}/messages`, headers: auth(b.body.visitor_token) }),
        h.request({ method: 'GET', url: `/api/chat/999999/messages`, headers: auth(a.body.visitor_token) }),
        h.request({ method: 'GET', url: `/api/chat/abc/status`, headers: auth(a.body.visitor_token) }),
        h.request({ method: 'POST', url: `/api/chat/${idA}/messages`, headers: auth(b.body.visitor_token), json: { body: 'intrude' } }),
        h.request({ method: 'POST', url: `/api/chat/${idA}/read`, headers: auth(b.body.visitor_token), json: { seq: 1 } }),
      ]);
      for (const res of answers) {
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ error: { code: 'not_found', message: 'Conversation not found.' } });
      }
      expect((await poll(idA, a.body.visitor_token)).messages.map((m) => m.body)).toEqual(['a']);
    });
  });

  describe('validation', () => {
    const expectInvalid = (res: { statusCode: number; json(): unknown }, field: string) => {
      expect(res.statusCode).toBe(422);
      const error = (res.json() as { error: { code: string; message: string; fields: Record<string, string> } }).error;
      expect(error.code).toBe('validation_failed');
      expect(error.fields).toHaveProperty(field);
      expect(error.message).toContain(field);
    };

    it.each([
      ['a blank body', { body: '   ' }, 'body'],
      ['a missing body', {}, 'body'],
      ['a body over 5,000 characters', { body: 'x'.repeat(5001) }, 'body'],
      ['a body that is not a string', { body: 42 }, 'body'],
      ['a malformed client_message_id', { body: 'ok', client_message_id: 'has spaces!' }, 'client_message_id'],
    ])('refuses a send with %s (422 naming the field) and stores nothing', async (_label, json, field) => {
      const { body } = await start();
      expectInvalid(await send(body.conversation.id, body.visitor_token, json), field);
      expect((await poll(body.conversation.id, body.visitor_token)).last_seq).toBe(0);
    });

    it('accepts a body of exactly 5,000 characters', async () => {
      const { body } = await start();
      expect((await send(body.conversation.id, body.visitor_token, { body: 'y'.repeat(5000) })).statusCode).toBe(201);
    });

    it.each([
      ['an email that is not one', { email: 'nope' }, 'email'],
      ['a page_url that is not a URL', { page_url: 'shop' }, 'page_url'],
      ['a fingerprint that is too short', { fingerprint: 'abc' }, 'fingerprint'],
      ['a blank first message', { message: '' }, 'message'],
      ['an unknown field', { colour: 'red' }, 'body'],
    ])('refuses a start with %s (422 naming the field) and creates nothing', async (_label, json, field) => {
      const res = await h.request({ method: 'POST', url: '/api/chat/start', json });
      expectInvalid(res, field);
      const rows = await h.parley.storage.db.selectFrom('conversations').select('id').execute();
      expect(rows).toEqual([]);
    });

    it('refuses a lookup without a fingerprint and a resume without a ticket', async () => {
      expectInvalid(await h.request({ method: 'POST', url: '/api/chat/lookup', json: {} }), 'fingerprint');
      expectInvalid(await h.request({ method: 'POST', url: '/api/chat/resume', json: { fingerprint: FP_A } }), 'resume_ticket');
    });

    it('refuses a read marker that is not a whole number', async () => {
      const { body } = await start({ message: 'x' });
      expectInvalid(await h.request({ method: 'POST', url: `/api/chat/${body.conversation.id}/read`, headers: auth(body.visitor_token), json: { seq: 'last' } }), 'seq');
    });

    it('refuses bad polling parameters', async () => {
      const { body } = await start({ message: 'x' });
      expectInvalid(await h.request({ method: 'GET', url: `/api/chat/${body.conversation.id}/messages?after=-1`, headers: auth(body.visitor_token) }), 'after');
      expectInvalid(await h.request({ method: 'GET', url: `/api/chat/${body.conversation.id}/messages?limit=5000`, headers: auth(body.visitor_token) }), 'limit');
    });

    it('answers malformed JSON with 400 invalid_json', async () => {
      const res = await h.request({ method: 'POST', url: '/api/chat/start', payload: '{"message": "unterminated', headers: { 'content-type': 'application/json' } });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('invalid_json');
    });

    it('answers a request over the size limit with 413 payload_too_large', async () => {
      const res = await h.request({ method: 'POST', url: '/api/chat/start', json: { message: 'z'.repeat(70_000) } });
      expect(res.statusCode).toBe(413);
      expect(res.json().error.code).toBe('payload_too_large');
    });

    it('answers a non-JSON body with 415 unsupported_media_type', async () => {
      const res = await h.request({ method: 'POST', url: '/api/chat/start', payload: 'message=hi', headers: { 'content-type': 'text/plain' } });
      expect(res.statusCode).toBe(415);
      expect(res.json().error.code).toBe('unsupported_media_type');
    });

    it('keeps serving after bad input', async () => {
      await h.request({ method: 'POST', url: '/api/chat/start', payload: '{{{', headers: { 'content-type': 'application/json' } });
      expect((await start({ message: 'still here' })).res.statusCode).toBe(201);
    });
  });

  describe('rate limits', () => {
    it('limits conversation starts per IP with 429 and Retry-After, other IPs unaffected', async () => {
      await h.close();
      h = await startHarness(engine, { CHAT_RATE_LIMIT_START: '3/1m' });
      for (let i = 0; i < 3; i++) expect((await start({}, { ip: IP_1 })).res.statusCode).toBe(201);
      const limited = await start({}, { ip: IP_1 });
      expect(limited.res.statusCode).toBe(429);
      expect((limited.res.json() as unknown as { error: { code: string } }).error.code).toBe('rate_limited');
      expect(Number(limited.res.headers['retry-after'])).toBeGreaterThan(0);
      expect((await start({}, { ip: IP_2 })).res.statusCode).toBe(201);
    });

    it('limits sends per IP with 429 and Retry-After', async () => {
      await h.close();
      h = await startHarness(engine, { CHAT_RATE_LIMIT_SEND: '2/1m' });
      const { body } = await start();
      expect((await send(body.conversation.id, body.visitor_token, { body: '1' })).statusCode).toBe(201);
      expect((await send(body.conversation.id, body.visitor_token, { body: '2' })).statusCode).toBe(201);
      const limited = await send(body.conversation.id, body.visitor_token, { body: '3' });
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBeDefined();
      expect((await poll(body.conversation.id, body.visitor_token)).last_seq).toBe(2);
    });
  });

  describe('cross-origin use', () => {
    it('allows any origin by default (CORS * for the widget)', async () => {
      const res = await h.request({ method: 'OPTIONS', url: '/api/chat/start', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-client-fingerprint' } });
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain('x-client-fingerprint');
    });

    it('with CHAT_ALLOWED_ORIGINS, allows the listed sites and refuses others with 403 origin_not_allowed', async () => {
      await h.close();
      h = await startHarness(engine, { CHAT_ALLOWED_ORIGINS: 'https://shop.example' });
      const allowed = await h.request({ method: 'POST', url: '/api/chat/start', json: {}, headers: { origin: 'https://shop.example' } });
      expect(allowed.statusCode).toBe(201);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example');
      const refused = await h.request({ method: 'POST', url: '/api/chat/start', json: {}, headers: { origin: 'https://evil.example' } });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('origin_not_allowed');
      const rows = await h.parley.storage.db.selectFrom('conversations').select('id').execute();
      expect(rows).toHaveLength(1);
    });
  });

  describe('configuration for the widget', () => {
    it('answers GET /api/chat/config with the connection settings, greeting and colour', async () => {
      const res = await h.request({ method: 'GET', url: '/api/chat/config' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ authEndpoint: 'http://localhost:8080/broadcasting/auth', agents_online: expect.any(Number), greeting: expect.any(String), color: '#2563eb' });
      expect(res.json()).toHaveProperty('broadcaster');
    });
  });
});

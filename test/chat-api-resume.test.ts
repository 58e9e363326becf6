import { describe, expect, it } from 'vitest';
import { JOIN_NOTE } from '../src/chat/chat-service.js';
import type { MessageDto } from '../src/chat/dto.js';
import { FP_A, FP_B, HOUR, IP_1, IP_2, SITE, type Started, useChatApi } from './support/chat-api.js';
import { ENGINES } from './support/engines.js';

describe.each(ENGINES)('customer chat API on %s', (engine) => {
  const chat = useChatApi(engine);
  const { start, send, poll, status, lookup } = chat;

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
      chat.h.clock.advance(24 * HOUR + 1);
      expect((await status(body.conversation.id, body.visitor_token)).json()).toMatchObject({ status: 'open', resumable: false });
      expect((await lookup(FP_A, IP_1)).json()).toEqual({ match: 'none' });
      const again = await start({ conversation_id: body.conversation.id, fingerprint: FP_A }, { token: body.visitor_token });
      expect(again.res.statusCode).toBe(201);
      expect(again.body.conversation.id).not.toBe(body.conversation.id);
    });

    it('rule 3: within the window it still resumes; the window is CHAT_RESUME_WINDOW_HOURS', async () => {
      await chat.restart({ CHAT_RESUME_WINDOW_HOURS: '0.5' });
      const { body } = await start({ fingerprint: FP_A, message: 'hi' });
      chat.h.clock.advance(29 * 60_000);
      expect((await status(body.conversation.id, body.visitor_token)).json().resumable).toBe(true);
      chat.h.clock.advance(2 * 60_000);
      expect((await status(body.conversation.id, body.visitor_token)).json().resumable).toBe(false);
    });

    it('rule 3: a closed conversation is not resumed; start opens a new one', async () => {
      const { body } = await start({ fingerprint: FP_A, message: 'hi' });
      const agent = await chat.h.loginAs();
      await chat.h.request({ method: 'POST', url: `/api/agent/conversations/${body.conversation.id}/close`, headers: agent.headers });
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

      const joined = await chat.h.request({ method: 'POST', url: '/api/chat/resume', headers: { origin: SITE }, ip: IP_1, json: { resume_ticket: offer.json().resume_ticket, fingerprint: FP_B } });
      expect(joined.statusCode).toBe(200);
      const session = joined.json() as Started;
      expect(session.conversation.id).toBe(body.conversation.id);
      expect(session.messages.map((m) => m.body)).toEqual([JOIN_NOTE]);
      expect(session.messages[0]?.sender).toBe('system');

      // The joined device keeps seeing only messages from the join on, also when polling from 0.
      await send(body.conversation.id, session.visitor_token, { body: 'from the new device' });
      expect((await poll(body.conversation.id, session.visitor_token)).messages.map((m) => m.body)).toEqual([JOIN_NOTE, 'from the new device']);
      // The agent sees everything.
      const agent = await chat.h.loginAs();
      const transcript = await chat.h.request({ method: 'GET', url: `/api/agent/conversations/${body.conversation.id}`, headers: agent.headers });
      expect(transcript.json().messages.map((m: MessageDto) => m.body)).toEqual(['secret order number 1234', JOIN_NOTE, 'from the new device']);
    });

    it('rule 5: a resume ticket is single-use, bound to its device and IP, and expires after 10 minutes', async () => {
      await start({ fingerprint: FP_A, message: 'hi' });
      const ticket = async () => (await lookup(FP_B, IP_1)).json().resume_ticket as string;
      const resume = (t: string, fingerprint = FP_B, ip = IP_1) => chat.h.request({ method: 'POST', url: '/api/chat/resume', headers: { origin: SITE }, ip, json: { resume_ticket: t, fingerprint } });

      const once = await ticket();
      expect((await resume(once)).statusCode).toBe(200);
      expect((await resume(once)).statusCode).toBe(404);

      expect((await resume(await ticket(), FP_A)).statusCode).toBe(404);
      expect((await resume(await ticket(), FP_B, IP_2)).statusCode).toBe(404);

      const late = await ticket();
      chat.h.clock.advance(10 * 60_000 + 1);
      const expired = await resume(late);
      expect(expired.statusCode).toBe(404);
      expect(expired.json().error.code).toBe('not_found');
    });

    it('rule 5: the offer points at the most recently active open conversation from that IP', async () => {
      await start({ fingerprint: FP_A, message: 'older' }, { ua: 'UA-older' });
      chat.h.clock.advance(1000);
      const newer = await start({ fingerprint: 'c'.repeat(64), message: 'newer' }, { ua: 'UA-newer' });
      const offer = (await lookup(FP_B, IP_1)).json();
      const joined = await chat.h.request({ method: 'POST', url: '/api/chat/resume', headers: { origin: SITE }, ip: IP_1, json: { resume_ticket: offer.resume_ticket, fingerprint: FP_B } });
      expect(joined.json().conversation.id).toBe(newer.body.conversation.id);
    });

    it('rule 5: CHAT_RESUME_BY_NETWORK=off offers nothing', async () => {
      await chat.restart({ CHAT_RESUME_BY_NETWORK: 'off' });
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
      const first = await chat.h.request({ method: 'POST', url: '/api/chat/start', ip: IP_2, json: {}, headers: { origin: SITE, 'x-client-fingerprint': FP_B } });
      expect(first.statusCode).toBe(201);
      const again = await chat.h.request({ method: 'POST', url: '/api/chat/start', ip: IP_2, json: {}, headers: { origin: SITE, 'x-client-fingerprint': FP_B } });
      expect(again.statusCode).toBe(200);
      expect(again.json().conversation.id).toBe(first.json().conversation.id);
      expect(again.json().conversation.id).not.toBe(body.conversation.id);
    });
  });
});

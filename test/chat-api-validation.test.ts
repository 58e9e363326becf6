import { describe, expect, it } from 'vitest';
import { auth, FP_A, useChatApi } from './support/chat-api.js';
import { ENGINES } from './support/engines.js';

describe.each(ENGINES)('customer chat API on %s', (engine) => {
  const chat = useChatApi(engine);
  const { start, send, poll } = chat;

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
      const res = await chat.h.request({ method: 'POST', url: '/api/chat/start', json });
      expectInvalid(res, field);
      const rows = await chat.h.parley.storage.db.selectFrom('conversations').select('id').execute();
      expect(rows).toEqual([]);
    });

    it('refuses a lookup without a fingerprint and a resume without a ticket', async () => {
      expectInvalid(await chat.h.request({ method: 'POST', url: '/api/chat/lookup', json: {} }), 'fingerprint');
      expectInvalid(await chat.h.request({ method: 'POST', url: '/api/chat/resume', json: { fingerprint: FP_A } }), 'resume_ticket');
    });

    it('refuses a read marker that is not a whole number', async () => {
      const { body } = await start({ message: 'x' });
      expectInvalid(await chat.h.request({ method: 'POST', url: `/api/chat/${body.conversation.id}/read`, headers: auth(body.visitor_token), json: { seq: 'last' } }), 'seq');
    });

    it('refuses bad polling parameters', async () => {
      const { body } = await start({ message: 'x' });
      expectInvalid(await chat.h.request({ method: 'GET', url: `/api/chat/${body.conversation.id}/messages?after=-1`, headers: auth(body.visitor_token) }), 'after');
      expectInvalid(await chat.h.request({ method: 'GET', url: `/api/chat/${body.conversation.id}/messages?limit=5000`, headers: auth(body.visitor_token) }), 'limit');
    });

    it('answers malformed JSON with 400 invalid_json', async () => {
      const res = await chat.h.request({ method: 'POST', url: '/api/chat/start', payload: '{"message": "unterminated', headers: { 'content-type': 'application/json' } });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('invalid_json');
    });

    it('answers a request over the size limit with 413 payload_too_large', async () => {
      const res = await chat.h.request({ method: 'POST', url: '/api/chat/start', json: { message: 'z'.repeat(70_000) } });
      expect(res.statusCode).toBe(413);
      expect(res.json().error.code).toBe('payload_too_large');
    });

    it('answers a non-JSON body with 415 unsupported_media_type', async () => {
      const res = await chat.h.request({ method: 'POST', url: '/api/chat/start', payload: 'message=hi', headers: { 'content-type': 'text/plain' } });
      expect(res.statusCode).toBe(415);
      expect(res.json().error.code).toBe('unsupported_media_type');
    });

    it('keeps serving after bad input', async () => {
      await chat.h.request({ method: 'POST', url: '/api/chat/start', payload: '{{{', headers: { 'content-type': 'application/json' } });
      expect((await start({ message: 'still here' })).res.statusCode).toBe(201);
    });
  });
});

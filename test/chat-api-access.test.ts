import { describe, expect, it } from 'vitest';
import { auth, IP_1, IP_2, useChatApi } from './support/chat-api.js';
import { ENGINES } from './support/engines.js';

describe.each(ENGINES)('customer chat API on %s', (engine) => {
  const chat = useChatApi(engine);
  const { start, send, poll } = chat;

  describe('uniform 404s', () => {
    it('answers 404 alike for a missing token, a wrong token, another conversation’s token and a missing conversation', async () => {
      const a = await start({ message: 'a' });
      const b = await start({ message: 'b' }, { ip: IP_2 });
      const idA = a.body.conversation.id;
      const answers = await Promise.all([
        chat.h.request({ method: 'GET', url: `/api/chat/${idA}/messages` }),
        chat.h.request({ method: 'GET', url: `/api/chat/${idA}/messages`, headers: auth('x'.repeat(43)) }),
        chat.h.request({ method: 'GET', url: `/api/chat/${idA}/messages`, headers: auth(b.body.visitor_token) }),
        chat.h.request({ method: 'GET', url: `/api/chat/999999/messages`, headers: auth(a.body.visitor_token) }),
        chat.h.request({ method: 'GET', url: `/api/chat/abc/status`, headers: auth(a.body.visitor_token) }),
        chat.h.request({ method: 'POST', url: `/api/chat/${idA}/messages`, headers: auth(b.body.visitor_token), json: { body: 'intrude' } }),
        chat.h.request({ method: 'POST', url: `/api/chat/${idA}/read`, headers: auth(b.body.visitor_token), json: { seq: 1 } }),
      ]);
      for (const res of answers) {
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ error: { code: 'not_found', message: 'Conversation not found.' } });
      }
      expect((await poll(idA, a.body.visitor_token)).messages.map((m) => m.body)).toEqual(['a']);
    });
  });

  describe('rate limits', () => {
    it('limits conversation starts per IP with 429 and Retry-After, other IPs unaffected', async () => {
      await chat.restart({ CHAT_RATE_LIMIT_START: '3/1m' });
      for (let i = 0; i < 3; i++) expect((await start({}, { ip: IP_1 })).res.statusCode).toBe(201);
      const limited = await start({}, { ip: IP_1 });
      expect(limited.res.statusCode).toBe(429);
      expect((limited.res.json() as unknown as { error: { code: string } }).error.code).toBe('rate_limited');
      expect(Number(limited.res.headers['retry-after'])).toBeGreaterThan(0);
      expect((await start({}, { ip: IP_2 })).res.statusCode).toBe(201);
    });

    it('limits sends per IP with 429 and Retry-After', async () => {
      await chat.restart({ CHAT_RATE_LIMIT_SEND: '2/1m' });
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
      const res = await chat.h.request({ method: 'OPTIONS', url: '/api/chat/start', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-client-fingerprint' } });
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain('x-client-fingerprint');
    });

    it('with CHAT_ALLOWED_ORIGINS, allows the listed sites and refuses others with 403 origin_not_allowed', async () => {
      await chat.restart({ CHAT_ALLOWED_ORIGINS: 'https://shop.example' });
      const allowed = await chat.h.request({ method: 'POST', url: '/api/chat/start', json: {}, headers: { origin: 'https://shop.example' } });
      expect(allowed.statusCode).toBe(201);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example');
      const refused = await chat.h.request({ method: 'POST', url: '/api/chat/start', json: {}, headers: { origin: 'https://evil.example' } });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('origin_not_allowed');
      const rows = await chat.h.parley.storage.db.selectFrom('conversations').select('id').execute();
      expect(rows).toHaveLength(1);
    });
  });

  describe('configuration for the widget', () => {
    it('answers GET /api/chat/config with the connection settings, greeting and colour', async () => {
      const res = await chat.h.request({ method: 'GET', url: '/api/chat/config' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ authEndpoint: 'http://localhost:8080/broadcasting/auth', agents_online: expect.any(Number), greeting: expect.any(String), color: '#2563eb' });
      expect(res.json()).toHaveProperty('broadcaster');
    });
  });
});

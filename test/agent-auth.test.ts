import { beforeEach, describe, expect, it } from 'vitest';
import type { AgentDto } from '../src/agents/agent-service.js';
import { ANOTHER_IP, type ErrorBody, expectFailure, type Method, sessionCookie, useAgentApi } from './support/agent-api.js';
import { ENGINES } from './support/engines.js';
import { ADMIN } from './support/harness.js';

// Agent API: login, me and logout, sessions, and authentication and CSRF on every endpoint.

describe.each(ENGINES)('agent API on %s', (engine) => {
  const api = useAgentApi(engine);
  const { restartWith, call, get, post, startChat, transcript, createAgent, listAgents } = api;

  describe('login', () => {
    it('answers 200 {agent, csrf_token} and sets an HttpOnly, SameSite=Lax session cookie', async () => {
      const res = await api.h.request({ method: 'POST', url: '/api/agent/login', json: { email: ADMIN.email, password: ADMIN.password } });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{ agent: AgentDto; csrf_token: string }>();
      expect(body.agent).toMatchObject({ email: ADMIN.email, name: 'Admin', role: 'admin', active: true });
      expect(body.agent).not.toHaveProperty('password_hash');
      expect(body.csrf_token).toMatch(/^\S{16,}$/);
      const cookie = sessionCookie(res);
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
      expect(cookie?.secure).toBeFalsy();
      expect(cookie?.value).toMatch(/^\S{20,}$/);
      expect(cookie?.maxAge).toBeGreaterThan(0);
    });

    it('marks the session cookie Secure when APP_URL is https', async () => {
      const secure = await restartWith({ APP_URL: 'https://chat.example' });
      const res = await secure.request({ method: 'POST', url: '/api/agent/login', json: { email: ADMIN.email, password: ADMIN.password } });
      expect(res.statusCode, res.body).toBe(200);
      expect(sessionCookie(res)).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: true });
    });

    it('accepts the email in any case and with surrounding spaces', async () => {
      const res = await api.h.request({ method: 'POST', url: '/api/agent/login', json: { email: `  ${ADMIN.email.toUpperCase()} `, password: ADMIN.password } });
      expect(res.statusCode, res.body).toBe(200);
    });

    it('refuses a wrong password with 401 invalid_credentials and sets no cookie', async () => {
      const res = await api.h.request({ method: 'POST', url: '/api/agent/login', json: { email: ADMIN.email, password: 'wrong password' } });
      expectFailure(res, 401, 'invalid_credentials');
      expect(sessionCookie(res)).toBeUndefined();
    });

    it('refuses an unknown email with the same 401 invalid_credentials', async () => {
      const wrongPassword = await api.h.request({ method: 'POST', url: '/api/agent/login', json: { email: ADMIN.email, password: 'wrong password' } });
      const unknown = await api.h.request({ method: 'POST', url: '/api/agent/login', json: { email: 'nobody@example.test', password: ADMIN.password } });
      expectFailure(unknown, 401, 'invalid_credentials');
      expect(unknown.json<ErrorBody>()).toEqual(wrongPassword.json<ErrorBody>());
      expect(sessionCookie(unknown)).toBeUndefined();
    });

    it('answers 422 validation_failed naming email and password when they are missing', async () => {
      const error = expectFailure(await api.h.request({ method: 'POST', url: '/api/agent/login', json: {} }), 422, 'validation_failed', 'email', 'password');
      expect(error.fields).toEqual({ email: 'is required', password: 'is required' });
    });

    it('answers 422 naming each field that is not a string or is blank', async () => {
      expectFailure(await api.h.request({ method: 'POST', url: '/api/agent/login', json: { email: 42, password: ADMIN.password } }), 422, 'validation_failed', 'email');
      expectFailure(await api.h.request({ method: 'POST', url: '/api/agent/login', json: { email: ADMIN.email, password: '' } }), 422, 'validation_failed', 'password');
      expectFailure(await api.h.request({ method: 'POST', url: '/api/agent/login', json: { email: '   ', password: 'x' } }), 422, 'validation_failed', 'email');
    });

    it('answers 400 invalid_json for a malformed body', async () => {
      const res = await api.h.request({ method: 'POST', url: '/api/agent/login', payload: '{"email":', headers: { 'content-type': 'application/json' } });
      expectFailure(res, 400, 'invalid_json');
    });

    it('rate-limits login attempts per IP: the 4th attempt under 3/1m is 429 rate_limited with Retry-After', async () => {
      const limited = await restartWith({ AGENT_RATE_LIMIT_LOGIN: '3/1m' });
      const attempt = (password: string, ip?: string) => limited.request({ method: 'POST', url: '/api/agent/login', ip, json: { email: ADMIN.email, password } });
      expect((await attempt('wrong password')).statusCode).toBe(401);
      expect((await attempt('wrong password')).statusCode).toBe(401);
      expect((await attempt(ADMIN.password)).statusCode).toBe(200);
      const fourth = await attempt(ADMIN.password);
      expectFailure(fourth, 429, 'rate_limited');
      expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
      expect(sessionCookie(fourth)).toBeUndefined();
      // The limit is per client IP: another address may still log in.
      expect((await attempt(ADMIN.password, ANOTHER_IP)).statusCode).toBe(200);
    });
  });

  describe('me and logout', () => {
    it('GET me answers the agent and the same csrf token as login', async () => {
      const res = await get('/api/agent/me');
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{ agent: AgentDto; csrf_token: string }>();
      expect(body.agent).toMatchObject({ email: ADMIN.email, role: 'admin', active: true });
      expect(body.csrf_token).toBe(api.admin.csrf);
    });

    it('GET me needs no X-CSRF-Token header (a safe method)', async () => {
      const res = await api.h.request({ method: 'GET', url: '/api/agent/me', headers: { cookie: api.admin.cookie } });
      expect(res.statusCode, res.body).toBe(200);
    });

    it('gives every login its own session and csrf token', async () => {
      const second = await api.h.loginAs();
      expect(second.cookie).not.toBe(api.admin.cookie);
      expect(second.csrf).not.toBe(api.admin.csrf);
    });

    it('logout answers 204, clears the cookie, and the old cookie then gets 401 unauthenticated', async () => {
      const res = await post('/api/agent/logout');
      expect(res.statusCode, res.body).toBe(204);
      const cleared = sessionCookie(res);
      expect(cleared?.value ?? '').toBe('');
      expect(expiredCookie(cleared)).toBe(true);
      expectFailure(await get('/api/agent/me'), 401, 'unauthenticated');
      expectFailure(await get('/api/agent/conversations'), 401, 'unauthenticated');
      expectFailure(await post('/api/agent/logout'), 401, 'unauthenticated');
    });

    it('logout ends only that session: the same agent logged in elsewhere stays in', async () => {
      const elsewhere = await api.h.loginAs();
      expect((await post('/api/agent/logout')).statusCode).toBe(204);
      expect((await get('/api/agent/me', elsewhere)).statusCode).toBe(200);
    });

    it('ends a session unused for the whole session lifetime, and extends one that is used', async () => {
      const idle = await api.h.loginAs();
      api.h.clock.advance(7 * 3_600_000); // SESSION_LIFETIME defaults to 12 hours
      expect((await get('/api/agent/me')).statusCode).toBe(200); // used in its second half: extended
      api.h.clock.advance(6 * 3_600_000);
      expect((await get('/api/agent/me')).statusCode).toBe(200);
      expectFailure(await get('/api/agent/me', idle), 401, 'unauthenticated');
    });
  });

  describe('authentication and CSRF on every endpoint', () => {
    let conversationId: number;
    let agentId: number;

    beforeEach(async () => {
      conversationId = (await startChat()).conversation.id;
      agentId = (await createAgent()).id;
    });

    const path = (template: string) => template.replace(':id', String(conversationId)).replace(':agent', String(agentId));

    const STATE_CHANGES: [Method, string, unknown][] = [
      ['POST', '/api/agent/logout', undefined],
      ['POST', '/api/agent/me/logout-all', undefined],
      ['POST', '/api/agent/me/password', { current_password: 'correct horse battery', password: 'forged new password' }],
      ['POST', '/api/agent/conversations/:id/messages', { body: 'forged reply', client_message_id: 'forged-1' }],
      ['POST', '/api/agent/conversations/:id/assign', {}],
      ['POST', '/api/agent/conversations/:id/close', undefined],
      ['POST', '/api/agent/conversations/:id/reopen', undefined],
      ['POST', '/api/agent/conversations/:id/read', { seq: 1 }],
      ['POST', '/api/agent/agents', { email: 'mallory@example.test', name: 'Mallory', password: 'mallory password', role: 'admin' }],
      ['PATCH', '/api/agent/agents/:agent', { name: 'Renamed', role: 'admin', active: false }],
    ];
    const READS: [Method, string, unknown][] = [
      ['GET', '/api/agent/me', undefined],
      ['GET', '/api/agent/conversations', undefined],
      ['GET', '/api/agent/conversations/:id', undefined],
      ['GET', '/api/agent/agents', undefined],
    ];

    /** Everything a refused request could have changed: the conversation, its messages, the agents, events, the session. */
    const snapshot = async () => {
      const t = await transcript(conversationId);
      const agents = (await listAgents()).map(({ last_seen_at: _seen, ...rest }) => rest);
      return { conversation: t.conversation, messages: t.messages, agents, events: api.h.events.events.length, me: (await get('/api/agent/me')).statusCode };
    };

    it.each([...READS, ...STATE_CHANGES])('answers %s %s with 401 unauthenticated without a session', async (method, template, body) => {
      expectFailure(await call(method, path(template), body, null), 401, 'unauthenticated');
      expectFailure(await call(method, path(template), body, null, { 'x-csrf-token': api.admin.csrf }), 401, 'unauthenticated');
      expectFailure(await call(method, path(template), body, null, { cookie: 'parley_session=not-a-real-session-token-at-all' }), 401, 'unauthenticated');
    });

    it.each(STATE_CHANGES)('refuses %s %s without the X-CSRF-Token header (403 csrf_mismatch) and stores nothing', async (method, template, body) => {
      const before = await snapshot();
      api.h.clock.advance(5000);
      expectFailure(await call(method, path(template), body, null, { cookie: api.admin.cookie }), 403, 'csrf_mismatch');
      expect(await snapshot()).toEqual(before);
    });

    it.each(STATE_CHANGES)('refuses %s %s with a wrong X-CSRF-Token (403 csrf_mismatch) and stores nothing', async (method, template, body) => {
      const before = await snapshot();
      api.h.clock.advance(5000);
      expectFailure(await call(method, path(template), body, null, { cookie: api.admin.cookie, 'x-csrf-token': 'wrong-token' }), 403, 'csrf_mismatch');
      expectFailure(await call(method, path(template), body, null, { cookie: api.admin.cookie, 'x-csrf-token': '' }), 403, 'csrf_mismatch');
      expect(await snapshot()).toEqual(before);
    });

    it.each(STATE_CHANGES)("refuses %s %s with another session's X-CSRF-Token (403 csrf_mismatch)", async (method, template, body) => {
      const other = await api.h.loginAs();
      const before = await snapshot();
      expectFailure(await call(method, path(template), body, null, { cookie: api.admin.cookie, 'x-csrf-token': other.csrf }), 403, 'csrf_mismatch');
      expect(await snapshot()).toEqual(before);
    });

    it.each(READS)('serves %s %s with the session cookie alone', async (method, template) => {
      const res = await api.h.request({ method, url: path(template), headers: { cookie: api.admin.cookie } });
      expect(res.statusCode, res.body).toBe(200);
    });
  });
});

/** A Set-Cookie that tells the browser to drop the cookie: Max-Age 0 or an expiry in the past. */
function expiredCookie(cookie: { maxAge?: number; expires?: Date } | undefined): boolean {
  if (!cookie) return false;
  return cookie.maxAge === 0 || (cookie.expires !== undefined && cookie.expires.getTime() <= Date.now());
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ApiTokenDto } from '../src/agents/api-tokens.js';
import { AGENT, expectFailure, useAgentApi } from './support/agent-api.js';
import { createToken, withToken } from './support/api-tokens.js';
import { ENGINES } from './support/engines.js';

// API tokens (docs/api.md, "API tokens"): admins create them, they are shown once and stored hashed,
// and `Authorization: Bearer` works on the agent API without a cookie or CSRF token.

describe.each(ENGINES)('API tokens on %s', (engine) => {
  const api = useAgentApi(engine);
  const { get, post, createAgent } = api;
  const list = async (): Promise<ApiTokenDto[]> => {
    const res = await get('/api/agent/tokens');
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ api_tokens: ApiTokenDto[] }>().api_tokens;
  };
  const revoke = (id: number | string) => api.h.request({ method: 'DELETE', url: `/api/agent/tokens/${id}`, headers: api.admin.headers });

  it('creates a token shown once, lists it without the token, and revokes it', async () => {
    const res = await post('/api/agent/tokens', { name: 'Zapier', scopes: ['read', 'write'] });
    expect(res.statusCode, res.body).toBe(201);
    const { token, api_token } = res.json<{ token: string; api_token: ApiTokenDto }>();
    expect(token).toMatch(/^parley_pat_[A-Za-z0-9_-]{43}$/);
    expect(api_token).toEqual({
      id: expect.any(Number),
      name: 'Zapier',
      scopes: ['read', 'write'],
      agent: { id: await api.adminId(), name: 'Admin' },
      created_at: new Date(api.h.clock.now()).toISOString(),
      expires_at: null,
      last_used_at: null,
    });
    const listed = await get('/api/agent/tokens');
    expect(listed.body).not.toContain(token);
    expect(listed.json<{ api_tokens: ApiTokenDto[] }>().api_tokens).toEqual([api_token]);

    expect((await withToken(api.h, token, 'GET', '/api/agent/me')).statusCode).toBe(200);
    expect((await revoke(api_token.id)).statusCode).toBe(204);
    expect(await list()).toEqual([]);
    expectFailure(await withToken(api.h, token, 'GET', '/api/agent/me'), 401, 'unauthenticated');
    expectFailure(await revoke(api_token.id), 404, 'not_found');
    expectFailure(await revoke(999999), 404, 'not_found');
    expectFailure(await revoke('abc'), 404, 'not_found');
  });

  it('stores only a keyed hash of the token', async () => {
    const { token } = await createToken(api.h, api.admin, ['read']);
    const rows = await api.h.parley.storage.db.selectFrom('api_tokens').selectAll().execute();
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(token.slice('parley_pat_'.length));
    expect(rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names each invalid field with 422', async () => {
    expectFailure(await post('/api/agent/tokens', {}), 422, 'validation_failed', 'name', 'scopes');
    expectFailure(await post('/api/agent/tokens', { name: ' ', scopes: [] }), 422, 'validation_failed', 'name', 'scopes');
    expectFailure(await post('/api/agent/tokens', { name: 'x', scopes: ['root'] }), 422, 'validation_failed', 'scopes.0');
    expectFailure(await post('/api/agent/tokens', { name: 'x', scopes: ['read'], expires_at: 'tomorrow' }), 422, 'validation_failed', 'expires_at');
    const past = new Date(api.h.clock.now() - 1000).toISOString();
    expectFailure(await post('/api/agent/tokens', { name: 'x', scopes: ['read'], expires_at: past }), 422, 'validation_failed', 'expires_at');
  });

  it('refuses an expired token with 401', async () => {
    const expiresAt = new Date(api.h.clock.now() + 3_600_000).toISOString();
    const { token, api_token } = await createToken(api.h, api.admin, ['read'], { expires_at: expiresAt });
    expect(api_token.expires_at).toBe(expiresAt);
    expect((await withToken(api.h, token, 'GET', '/api/agent/conversations')).statusCode).toBe(200);
    api.h.clock.advance(3_600_000);
    expectFailure(await withToken(api.h, token, 'GET', '/api/agent/conversations'), 401, 'unauthenticated');
  });

  it('refuses unknown tokens and the tokens of a deactivated agent with 401', async () => {
    expectFailure(await withToken(api.h, 'parley_pat_' + 'A'.repeat(43), 'GET', '/api/agent/me'), 401, 'unauthenticated');
    expectFailure(await withToken(api.h, 'not-a-token', 'GET', '/api/agent/me'), 401, 'unauthenticated');
    const sam = await createAgent({ ...AGENT, role: 'admin' });
    const samSession = await api.h.loginAs(AGENT.email, AGENT.password);
    const { token } = await createToken(api.h, samSession, ['admin']);
    expect((await withToken(api.h, token, 'GET', '/api/agent/me')).json<{ agent: { id: number } }>().agent.id).toBe(sam.id);
    expect((await api.patch(`/api/agent/agents/${sam.id}`, { active: false })).statusCode).toBe(200);
    expectFailure(await withToken(api.h, token, 'GET', '/api/agent/me'), 401, 'unauthenticated');
  });

  it('records when a token was last used, at most once a minute', async () => {
    const { token, api_token } = await createToken(api.h, api.admin, ['read']);
    const t0 = api.h.clock.now();
    await withToken(api.h, token, 'GET', '/api/agent/me');
    api.h.clock.advance(30_000);
    await withToken(api.h, token, 'GET', '/api/agent/me');
    expect((await list()).find((t) => t.id === api_token.id)?.last_used_at).toBe(new Date(t0).toISOString());
    api.h.clock.advance(30_000);
    await withToken(api.h, token, 'GET', '/api/agent/me');
    expect((await list()).find((t) => t.id === api_token.id)?.last_used_at).toBe(new Date(t0 + 60_000).toISOString());
  });

  it('needs no CSRF token with a token, while a cookie session still does', async () => {
    const { token } = await createToken(api.h, api.admin, ['admin']);
    const byToken = await withToken(api.h, token, 'POST', '/api/agent/labels', { name: 'Billing' });
    expect(byToken.statusCode, byToken.body).toBe(201);
    const noCsrf = await api.h.request({ method: 'POST', url: '/api/agent/labels', json: { name: 'Sales' }, headers: { cookie: api.admin.cookie } });
    expectFailure(noCsrf, 403, 'csrf_mismatch');
    // A cookie wins over the header: the token does not excuse the session from CSRF.
    const both = await api.h.request({ method: 'POST', url: '/api/agent/labels', json: { name: 'Sales' }, headers: { cookie: api.admin.cookie, authorization: `Bearer ${token}` } });
    expectFailure(both, 403, 'csrf_mismatch');
  });

  it('answers the token owner on GET /api/agent/me without a CSRF token or cookie', async () => {
    const { token } = await createToken(api.h, api.admin, ['read']);
    const res = await withToken(api.h, token, 'GET', '/api/agent/me');
    expect(res.json<{ csrf_token: unknown }>().csrf_token).toBeNull();
    expect(res.cookies).toEqual([]);
  });

  it('never lets a token change the password', async () => {
    const { token } = await createToken(api.h, api.admin, ['admin']);
    const res = await withToken(api.h, token, 'POST', '/api/agent/me/password', { current_password: 'correct horse battery', password: 'a new password 123' });
    expectFailure(res, 403, 'forbidden');
  });

  it('lets only admins manage tokens: agents and write tokens get 403', async () => {
    await createAgent();
    const sam = await api.h.loginAs(AGENT.email, AGENT.password);
    expectFailure(await get('/api/agent/tokens', sam), 403, 'forbidden');
    expectFailure(await post('/api/agent/tokens', { name: 'x', scopes: ['admin'] }, sam), 403, 'forbidden');
    const { token } = await createToken(api.h, api.admin, ['write']);
    expectFailure(await withToken(api.h, token, 'POST', '/api/agent/tokens', { name: 'x', scopes: ['admin'] }), 403, 'forbidden');
    const admin = await createToken(api.h, api.admin, ['admin']);
    expect((await withToken(api.h, admin.token, 'POST', '/api/agent/tokens', { name: 'y', scopes: ['read'] })).statusCode).toBe(201);
  });

  it('never works on the customer API', async () => {
    const chat = await api.startChat();
    const { token } = await createToken(api.h, api.admin, ['admin']);
    const before = await api.visitorMessages(chat);
    // The customer API answers a wrong visitor token as it answers an unknown conversation.
    const res = await withToken(api.h, token, 'GET', `/api/chat/${chat.conversation.id}/messages`);
    expect([401, 404]).toContain(res.statusCode);
    const sent = await withToken(api.h, token, 'POST', `/api/chat/${chat.conversation.id}/messages`, { body: 'hi', client_message_id: 'x1' });
    expect([401, 404]).toContain(sent.statusCode);
    expect(await api.visitorMessages(chat)).toEqual(before);
  });

  it('answers no 5xx to any token route body and no Authorization header', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (body) => {
        const res = await post('/api/agent/tokens', body);
        expect([201, 400, 422]).toContain(res.statusCode);
      }),
      { numRuns: 60 },
    );
    const printable = fc.string({ maxLength: 80 }).map((s) => s.replace(/[^\x20-\x7e]/g, 'x'));
    await fc.assert(
      fc.asyncProperty(fc.oneof(printable, printable.map((s) => `Bearer ${s}`), printable.map((s) => `Bearer parley_pat_${s}`)), async (header) => {
        const res = await api.h.request({ method: 'GET', url: '/api/agent/conversations', headers: { authorization: header } });
        expect([401]).toContain(res.statusCode);
      }),
      { numRuns: 80 },
    );
  });
});

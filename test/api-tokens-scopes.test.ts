import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { AGENT, expectFailure, useAgentApi } from './support/agent-api.js';
import { agentRoutesOf, createToken, withToken } from './support/api-tokens.js';
import { ENGINES } from './support/engines.js';

// Scopes of API tokens on every route of the agent API (docs/api.md, "API tokens"): `read` only
// reads, `write` acts as a non-admin agent, `admin` with its owner's role. The routes come from the
// app itself, so a route added later is covered without touching this file.

/** Routes that end sessions go last: they would log the oracle (and, by token, the admin) out. */
const ENDS_SESSIONS = new Set(['/api/agent/logout', '/api/agent/me/logout-all']);
/** Never by token, whatever the scope (docs/api.md, "API tokens"). */
const SESSION_ONLY = new Set(['POST /api/agent/me/password']);

describe.each(ENGINES)('API token scopes on %s', (engine) => {
  const api = useAgentApi(engine);

  it('applies read, write and admin scopes to every agent route as a non-admin agent session would', async () => {
    const { h } = api;
    const routes = agentRoutesOf(h).sort(([, a], [, b]) => Number(ENDS_SESSIONS.has(a)) - Number(ENDS_SESSIONS.has(b)));
    // The table is the app's: it holds the routes of every feature, admin-only ones included.
    for (const known of ['GET /api/agent/conversations', 'POST /api/agent/labels', 'GET /api/agent/agents', 'PATCH /api/agent/settings', 'DELETE /api/agent/tokens/:id', 'POST /api/agent/conversations/:id/notes']) {
      expect(routes.map(([m, p]) => `${m} ${p}`)).toContain(known);
    }
    const chat = await api.startChat();
    await api.createAgent();
    // The oracle: what an agent who is not an admin gets in a cookie session.
    const sam = await h.loginAs(AGENT.email, AGENT.password);
    const read = (await createToken(h, api.admin, ['read'])).token;
    const write = (await createToken(h, api.admin, ['write'])).token;
    const admin = (await createToken(h, api.admin, ['admin'])).token;
    const url = (path: string) => path.replace('/conversations/:id', `/conversations/${chat.conversation.id}`).replaceAll(':id', '999999');
    const bySession = (method: string, path: string) => h.request({ method: method as 'GET', url: url(path), headers: sam.headers, ...(method === 'GET' ? {} : { json: {} }) });
    const byToken = (token: string, method: string, path: string) => withToken(h, token, method, url(path), method === 'GET' ? undefined : {});
    const forbidden = (res: LightMyRequestResponse) => res.statusCode === 403;

    const seen: string[] = [];
    const adminOnly: string[] = [];
    for (const [method, path] of routes) {
      const what = `${method} ${path}`;
      seen.push(what);
      const agentForbidden = forbidden(await bySession(method, path));
      if (agentForbidden) adminOnly.push(what);
      const results = { read: await byToken(read, method, path), write: await byToken(write, method, path), admin: await byToken(admin, method, path) };
      for (const [scope, res] of Object.entries(results)) {
        expect(res.statusCode, `${what} with ${scope}: ${res.body}`).toBeLessThan(500);
        expect(res.statusCode, `${what} with ${scope}: ${res.body}`).not.toBe(401);
      }
      if (method === 'GET') {
        expect(forbidden(results.read), `${what} with read: ${results.read.body}`).toBe(agentForbidden);
      } else {
        expectFailure(results.read, 403, 'forbidden');
      }
      expect(forbidden(results.write), `${what} with write: ${results.write.body}`).toBe(agentForbidden || SESSION_ONLY.has(what));
      expect(forbidden(results.admin), `${what} with admin: ${results.admin.body}`).toBe(SESSION_ONLY.has(what));
    }
    expect(seen.length).toBeGreaterThan(25);
    expect(adminOnly).toEqual(expect.arrayContaining(['POST /api/agent/labels', 'GET /api/agent/agents', 'PATCH /api/agent/settings', 'GET /api/agent/tokens', 'POST /api/agent/tokens']));
  });

  it('limits requests per token, each token with its own budget', async () => {
    const h = await api.restartWith({ AGENT_RATE_LIMIT_TOKEN: '3/1m' });
    const admin = await h.loginAs();
    const first = (await createToken(h, admin, ['read'])).token;
    const second = (await createToken(h, admin, ['read'])).token;
    for (let i = 0; i < 3; i++) expect((await withToken(h, first, 'GET', '/api/agent/conversations', undefined, `198.51.100.${i + 1}`)).statusCode).toBe(200);
    const limited = expectFailure(await withToken(h, first, 'GET', '/api/agent/conversations'), 429, 'rate_limited');
    expect(limited.message).toMatch(/API token/);
    expect((await withToken(h, second, 'GET', '/api/agent/conversations')).statusCode).toBe(200);
    expect((await h.request({ method: 'GET', url: '/api/agent/conversations', headers: admin.headers })).statusCode).toBe(200);
  });
});

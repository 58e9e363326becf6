import { describe, expect, it } from 'vitest';
import type { AgentDto } from '../src/agents/agent-service.js';
import { AGENT, expectFailure, type Method, useAgentApi } from './support/agent-api.js';
import { ENGINES } from './support/engines.js';
import { ADMIN } from './support/harness.js';

// Agent API: agent management (admins list, create and change agents).

describe.each(ENGINES)('agent API on %s', (engine) => {
  const api = useAgentApi(engine);
  const { call, get, post, patch, createAgent, listAgents, adminId } = api;

  describe('agent management', () => {
    it('GET agents lists every agent, without password hashes', async () => {
      await createAgent();
      const agents = await listAgents();
      expect(agents.map((a) => [a.email, a.name, a.role, a.active])).toEqual([
        [ADMIN.email, 'Admin', 'admin', true],
        [AGENT.email, AGENT.name, 'agent', true],
      ]);
      for (const agent of agents) expect(Object.keys(agent).sort()).toEqual(['active', 'created_at', 'email', 'id', 'last_seen_at', 'name', 'notify_email', 'notify_unanswered', 'role', 'status']);
    });

    it('POST agents creates an agent (201, role agent by default, email lower-cased) who can log in', async () => {
      const res = await post('/api/agent/agents', { ...AGENT, email: 'Sam@Example.TEST' });
      expect(res.statusCode, res.body).toBe(201);
      const { agent } = res.json<{ agent: AgentDto }>();
      expect(agent).toMatchObject({ email: AGENT.email, name: AGENT.name, role: 'agent', active: true, last_seen_at: null });
      expect(agent.created_at).toBe(new Date(api.h.clock.now()).toISOString());
      const session = await api.h.loginAs(AGENT.email, AGENT.password);
      expect((await get('/api/agent/me', session)).json<{ agent: AgentDto }>().agent.id).toBe(agent.id);
    });

    it('POST agents creates an admin when asked', async () => {
      await createAgent({ ...AGENT, role: 'admin' });
      const session = await api.h.loginAs(AGENT.email, AGENT.password);
      expect((await get('/api/agent/agents', session)).statusCode).toBe(200);
    });

    it('POST agents answers 409 email_taken for an email already in use, in any case', async () => {
      await createAgent();
      expectFailure(await post('/api/agent/agents', { ...AGENT, name: 'Other Sam' }), 409, 'email_taken', 'email');
      expectFailure(await post('/api/agent/agents', { ...AGENT, email: AGENT.email.toUpperCase() }), 409, 'email_taken', 'email');
      expect(await listAgents()).toHaveLength(2);
    });

    it('POST agents answers 422 naming each bad field', async () => {
      const error = expectFailure(
        await post('/api/agent/agents', { email: 'not-an-email', name: '   ', password: 'short', role: 'owner' }),
        422,
        'validation_failed',
        'email',
        'name',
        'password',
        'role',
      );
      expect(error.fields?.password).toBe('must be at least 8 characters');
      const missing = expectFailure(await post('/api/agent/agents', {}), 422, 'validation_failed', 'email', 'name', 'password');
      expect(missing.fields?.email).toBe('is required');
      expect(await listAgents()).toHaveLength(1);
    });

    it.each([
      ['GET', '/api/agent/agents', undefined],
      ['POST', '/api/agent/agents', { email: 'new@example.test', name: 'New', password: 'new password 1' }],
      ['PATCH', '/api/agent/agents/1', { role: 'agent' }],
      ['PATCH', '/api/agent/agents/:self', { role: 'admin' }],
    ] as [Method, string, unknown][])('answers %s %s from a non-admin agent with 403 forbidden', async (method, url, json) => {
      const sam = await createAgent();
      const session = await api.h.loginAs(AGENT.email, AGENT.password);
      const before = await listAgents();
      expectFailure(await call(method, url.replace(':self', String(sam.id)), json, session), 403, 'forbidden');
      expect(await listAgents()).toEqual(before);
    });

    it('PATCH renames an agent', async () => {
      const sam = await createAgent();
      const res = await patch(`/api/agent/agents/${sam.id}`, { name: 'Samantha' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<{ agent: AgentDto }>().agent).toMatchObject({ id: sam.id, name: 'Samantha', role: 'agent', active: true });
      expect((await listAgents()).find((a) => a.id === sam.id)?.name).toBe('Samantha');
    });

    it('PATCH changes the role, effective on the existing session', async () => {
      const sam = await createAgent();
      const session = await api.h.loginAs(AGENT.email, AGENT.password);
      expectFailure(await get('/api/agent/agents', session), 403, 'forbidden');
      const promoted = await patch(`/api/agent/agents/${sam.id}`, { role: 'admin' });
      expect(promoted.json<{ agent: AgentDto }>().agent.role).toBe('admin');
      expect((await get('/api/agent/agents', session)).statusCode).toBe(200);
      expect((await patch(`/api/agent/agents/${sam.id}`, { role: 'agent' })).statusCode).toBe(200);
      expectFailure(await get('/api/agent/agents', session), 403, 'forbidden');
    });

    it("PATCH resets a password: the agent's old sessions stop working, the old password fails and the new one works", async () => {
      const sam = await createAgent();
      const first = await api.h.loginAs(AGENT.email, AGENT.password);
      const second = await api.h.loginAs(AGENT.email, AGENT.password);
      expect((await patch(`/api/agent/agents/${sam.id}`, { password: 'brand new password' })).statusCode).toBe(200);
      expectFailure(await get('/api/agent/me', first), 401, 'unauthenticated');
      expectFailure(await get('/api/agent/me', second), 401, 'unauthenticated');
      expectFailure(await api.h.request({ method: 'POST', url: '/api/agent/login', json: { email: AGENT.email, password: AGENT.password } }), 401, 'invalid_credentials');
      const fresh = await api.h.loginAs(AGENT.email, 'brand new password');
      expect((await get('/api/agent/me', fresh)).statusCode).toBe(200);
      // The admin's own session is untouched.
      expect((await get('/api/agent/me')).statusCode).toBe(200);
    });

    it('PATCH deactivates an agent: their sessions end, login is refused, and reactivating lets them back in', async () => {
      const sam = await createAgent();
      const session = await api.h.loginAs(AGENT.email, AGENT.password);
      const res = await patch(`/api/agent/agents/${sam.id}`, { active: false });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<{ agent: AgentDto }>().agent.active).toBe(false);
      expectFailure(await get('/api/agent/me', session), 401, 'unauthenticated');
      expectFailure(await api.h.request({ method: 'POST', url: '/api/agent/login', json: { email: AGENT.email, password: AGENT.password } }), 401, 'invalid_credentials');
      expect((await listAgents()).find((a) => a.id === sam.id)?.active).toBe(false);

      expect((await patch(`/api/agent/agents/${sam.id}`, { active: true })).json<{ agent: AgentDto }>().agent.active).toBe(true);
      expect((await get('/api/agent/me', await api.h.loginAs(AGENT.email, AGENT.password))).statusCode).toBe(200);
    });

    it('PATCH changes several things at once', async () => {
      const sam = await createAgent();
      const res = await patch(`/api/agent/agents/${sam.id}`, { name: 'Sam Admin', role: 'admin', password: 'another password' });
      expect(res.json<{ agent: AgentDto }>().agent).toMatchObject({ name: 'Sam Admin', role: 'admin' });
      const session = await api.h.loginAs(AGENT.email, 'another password');
      expect((await get('/api/agent/agents', session)).statusCode).toBe(200);
    });

    it('PATCH with nothing to change answers the agent unchanged', async () => {
      const sam = await createAgent();
      const res = await patch(`/api/agent/agents/${sam.id}`, {});
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<{ agent: AgentDto }>().agent).toEqual(sam);
    });

    it('an admin cannot deactivate themself (422 naming active)', async () => {
      const me = await adminId();
      expectFailure(await patch(`/api/agent/agents/${me}`, { active: false }), 422, 'validation_failed', 'active');
      expect((await get('/api/agent/me')).statusCode).toBe(200);
    });

    it('an admin cannot demote themself (422 naming role)', async () => {
      const me = await adminId();
      expectFailure(await patch(`/api/agent/agents/${me}`, { role: 'agent' }), 422, 'validation_failed', 'role');
      expect((await listAgents()).find((a) => a.id === me)?.role).toBe('admin');
    });

    it('an admin can rename themself, and keep their role and activity', async () => {
      const me = await adminId();
      expect((await patch(`/api/agent/agents/${me}`, { name: 'Chief' })).json<{ agent: AgentDto }>().agent.name).toBe('Chief');
      expect((await patch(`/api/agent/agents/${me}`, { name: 'Chief', role: 'admin', active: true })).statusCode).toBe(200);
      expect((await get('/api/agent/me')).json<{ agent: AgentDto }>().agent).toMatchObject({ name: 'Chief', role: 'admin', active: true });
    });

    it('an admin changing their own password keeps this session and ends their other sessions', async () => {
      const elsewhere = await api.h.loginAs();
      expect((await patch(`/api/agent/agents/${await adminId()}`, { password: 'a brand new admin password' })).statusCode).toBe(200);
      expect((await get('/api/agent/me')).statusCode).toBe(200);
      expectFailure(await get('/api/agent/me', elsewhere), 401, 'unauthenticated');
      await api.h.loginAs(ADMIN.email, 'a brand new admin password');
    });

    it('an admin can demote or deactivate another admin', async () => {
      const other = await createAgent({ ...AGENT, role: 'admin' });
      expect((await patch(`/api/agent/agents/${other.id}`, { role: 'agent' })).json<{ agent: AgentDto }>().agent.role).toBe('agent');
      expect((await patch(`/api/agent/agents/${other.id}`, { active: false })).json<{ agent: AgentDto }>().agent.active).toBe(false);
    });

    it('PATCH answers 422 naming each bad field, and changes nothing', async () => {
      const sam = await createAgent();
      expectFailure(await patch(`/api/agent/agents/${sam.id}`, { name: '  ', role: 'boss', password: 'short', active: 'no' }), 422, 'validation_failed', 'name', 'role', 'password', 'active');
      expect((await listAgents()).find((a) => a.id === sam.id)).toEqual(sam);
    });

    it.each(['424242', 'abc', '0', '9999999999999999'])('PATCH answers 404 not_found for agent id %s', async (id) => {
      expectFailure(await patch(`/api/agent/agents/${id}`, { name: 'Ghost' }), 404, 'not_found');
    });
  });
});

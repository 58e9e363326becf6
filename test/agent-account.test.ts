import { describe, expect, it } from 'vitest';
import { AGENT, expectFailure, sessionCookie, useAgentApi } from './support/agent-api.js';
import { ENGINES } from './support/engines.js';
import { ADMIN } from './support/harness.js';

// An agent's own account: changing their password, logging out everywhere, and how long a session may live.

const HOUR = 3_600_000;

describe.each(ENGINES)('agent account on %s', (engine) => {
  const api = useAgentApi(engine);
  const { get, post, createAgent, restartWith } = api;

  describe('POST /api/agent/me/password', () => {
    it('changes the password (204): the new one logs in, the old one no longer does', async () => {
      const res = await post('/api/agent/me/password', { current_password: ADMIN.password, password: 'a brand new password' });
      expect(res.statusCode, res.body).toBe(204);
      expectFailure(await api.h.request({ method: 'POST', url: '/api/agent/login', json: { email: ADMIN.email, password: ADMIN.password } }), 401, 'invalid_credentials');
      await api.h.loginAs(ADMIN.email, 'a brand new password');
    });

    it("ends the agent's other sessions and keeps this one", async () => {
      const elsewhere = await api.h.loginAs();
      expect((await post('/api/agent/me/password', { current_password: ADMIN.password, password: 'a brand new password' })).statusCode).toBe(204);
      expectFailure(await get('/api/agent/me', elsewhere), 401, 'unauthenticated');
      expect((await get('/api/agent/me')).statusCode).toBe(200);
    });

    it("leaves other agents' sessions alone", async () => {
      await createAgent();
      const sam = await api.h.loginAs(AGENT.email, AGENT.password);
      expect((await post('/api/agent/me/password', { current_password: ADMIN.password, password: 'a brand new password' })).statusCode).toBe(204);
      expect((await get('/api/agent/me', sam)).statusCode).toBe(200);
    });

    it('refuses a wrong current password with 422 naming current_password, and changes nothing', async () => {
      const elsewhere = await api.h.loginAs();
      expectFailure(await post('/api/agent/me/password', { current_password: 'not my password', password: 'a brand new password' }), 422, 'validation_failed', 'current_password');
      expect((await get('/api/agent/me', elsewhere)).statusCode).toBe(200);
      await api.h.loginAs(ADMIN.email, ADMIN.password);
    });

    it('answers 422 naming each missing or too short field', async () => {
      expectFailure(await post('/api/agent/me/password', {}), 422, 'validation_failed', 'current_password', 'password');
      expectFailure(await post('/api/agent/me/password', { current_password: ADMIN.password, password: 'short' }), 422, 'validation_failed', 'password');
    });
  });

  describe('POST /api/agent/me/logout-all', () => {
    it('ends every session of the agent, this one included (204, cookie cleared)', async () => {
      const elsewhere = await api.h.loginAs();
      const res = await post('/api/agent/me/logout-all');
      expect(res.statusCode, res.body).toBe(204);
      expect(sessionCookie(res)?.value ?? '').toBe('');
      expectFailure(await get('/api/agent/me'), 401, 'unauthenticated');
      expectFailure(await get('/api/agent/me', elsewhere), 401, 'unauthenticated');
    });

    it("leaves other agents' sessions alone", async () => {
      await createAgent();
      const sam = await api.h.loginAs(AGENT.email, AGENT.password);
      expect((await post('/api/agent/me/logout-all')).statusCode).toBe(204);
      expect((await get('/api/agent/me', sam)).statusCode).toBe(200);
    });
  });

  describe('absolute session lifetime', () => {
    it('ends a session SESSION_ABSOLUTE_LIFETIME after login even when it is used all along', async () => {
      // 12-hour idle lifetime (the default), 24-hour absolute lifetime.
      await restartWith({ SESSION_ABSOLUTE_LIFETIME: String(24 * 60) });
      const session = await api.h.loginAs();
      for (let hours = 0; hours < 23; hours += 1) {
        api.h.clock.advance(HOUR);
        expect((await get('/api/agent/me', session)).statusCode, `after ${hours + 1} hours`).toBe(200);
      }
      api.h.clock.advance(HOUR);
      expectFailure(await get('/api/agent/me', session), 401, 'unauthenticated');
    });

    it('defaults to 7 days', () => {
      expect(api.h.config.agents.sessionAbsoluteLifetimeMs).toBe(7 * 24 * HOUR);
    });
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgentDto } from '../src/agents/agent-service.js';
import type { ChatSettingsDto } from '../src/chat/dto.js';
import { AGENT, expectFailure, type Session, useAgentApi } from './support/agent-api.js';
import { ENGINES } from './support/engines.js';

// An agent's own email preferences (PATCH /api/agent/me), the team every agent sees
// (GET /api/agent/team) and the transcript-on-close chat setting (docs/api.md).

const PREFERENCES = ['status', 'notify_email', 'notify_unanswered'] as const;

/**
 * Any JSON value but a boolean: what a broken or hostile client sends where a boolean belongs.
 * Keys like `__proto__` are left out: the body parser refuses those before validation (400 invalid_json).
 */
const notABoolean = fc
  .anything({ maxDepth: 2, key: fc.string().filter((k) => k !== '__proto__' && k !== 'constructor' && k !== 'prototype') })
  .filter((v) => v !== undefined && typeof v !== 'boolean');

describe.each(ENGINES)('agent preferences on %s', (engine) => {
  const api = useAgentApi(engine);
  const { call, get, patch, createAgent, listAgents, eventsNamed } = api;

  const me = async (session: Session = api.admin): Promise<AgentDto> => {
    const res = await get('/api/agent/me', session);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ agent: AgentDto }>().agent;
  };
  const patchMe = async (body: object, session: Session = api.admin): Promise<AgentDto> => {
    const res = await patch('/api/agent/me', body, session);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ agent: AgentDto }>().agent;
  };
  const sam = async (): Promise<{ agent: AgentDto; session: Session }> => {
    const agent = await createAgent();
    return { agent, session: await api.h.loginAs(AGENT.email, AGENT.password) };
  };

  describe('PATCH /api/agent/me', () => {
    it('reports both email preferences on, for a new agent as for the first admin', async () => {
      const { session } = await sam();
      expect(await me(session)).toMatchObject({ notify_email: true, notify_unanswered: true });
      expect(await me()).toMatchObject({ notify_email: true, notify_unanswered: true });
    });

    it('turns the unanswered-conversation email off alone, keeping the other preference and the status, across logins', async () => {
      const { session } = await sam();
      expect(await patchMe({ notify_unanswered: false }, session)).toMatchObject({ notify_unanswered: false, notify_email: true, status: 'online' });
      expect(await me(await api.h.loginAs(AGENT.email, AGENT.password))).toMatchObject({ notify_unanswered: false, notify_email: true });
      expect(await patchMe({ notify_unanswered: true }, session)).toMatchObject({ notify_unanswered: true });
    });

    it('sets the status and both preferences in one request, announcing the status change once', async () => {
      const { agent, session } = await sam();
      expect(await patchMe({ status: 'away', notify_email: false, notify_unanswered: false }, session)).toMatchObject({
        status: 'away',
        notify_email: false,
        notify_unanswered: false,
      });
      expect(eventsNamed('AgentStatusChanged')).toEqual([{ name: 'AgentStatusChanged', agentId: agent.id, status: 'away' }]);
    });

    it('announces no status change when only the email preferences change', async () => {
      const { session } = await sam();
      await patchMe({ notify_email: false, notify_unanswered: false }, session);
      await patchMe({ notify_email: false }, session);
      expect(eventsNamed('AgentStatusChanged')).toEqual([]);
    });

    it("shows each agent's preferences in the admin's agents list", async () => {
      const { agent, session } = await sam();
      await patchMe({ notify_unanswered: false }, session);
      const listed = (await listAgents()).find((a) => a.id === agent.id);
      expect(listed).toMatchObject({ notify_email: true, notify_unanswered: false });
    });

    it('refuses a body with none of status, notify_email and notify_unanswered (422 naming status)', async () => {
      for (const body of [{}, { notify: true }, { notifyUnanswered: false }]) {
        expectFailure(await patch('/api/agent/me', body), 422, 'validation_failed', 'status');
      }
      expectFailure(await patch('/api/agent/me', [true]), 422, 'validation_failed');
    });

    it('refuses without the CSRF header and without a session', async () => {
      expectFailure(await call('PATCH', '/api/agent/me', { notify_unanswered: false }, api.admin, { 'x-csrf-token': 'wrong' }), 403, 'csrf_mismatch');
      expectFailure(await call('PATCH', '/api/agent/me', { notify_unanswered: false }, null), 401, 'unauthenticated');
      expect(await me()).toMatchObject({ notify_unanswered: true });
    });

    it('refuses any value but a boolean (or online/away for status) with 422 naming that field, and changes nothing', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...PREFERENCES), notABoolean, fc.boolean(), async (field, value, other) => {
          const res = await patch('/api/agent/me', { notify_email: other, [field]: value });
          const error = expectFailure(res, 422, 'validation_failed', field);
          expect(Object.keys(error.fields ?? {})).toEqual([field]);
        }),
        { numRuns: 40 },
      );
      expect(await me()).toMatchObject({ status: 'online', notify_email: true, notify_unanswered: true });
    });
  });

  describe('GET /api/agent/team', () => {
    it('lists every active agent with id, name, role and status to any agent, without emails and never cached', async () => {
      const { agent, session } = await sam();
      await patchMe({ status: 'away' }, session);
      const res = await get('/api/agent/team', session);
      expect(res.statusCode, res.body).toBe(200);
      const { agents } = res.json<{ agents: object[] }>();
      expect(agents).toEqual([
        { id: (await me()).id, name: 'Admin', role: 'admin', status: 'online' },
        { id: agent.id, name: AGENT.name, role: 'agent', status: 'away' },
      ]);
      expect(res.body).not.toContain('@');
      expect(res.headers['cache-control'], 'names are personal data').toBe('no-store');
    });

    it('leaves out deactivated agents', async () => {
      const { agent } = await sam();
      expect((await patch(`/api/agent/agents/${agent.id}`, { active: false })).statusCode).toBe(200);
      const { agents } = (await get('/api/agent/team')).json<{ agents: { id: number }[] }>();
      expect(agents.map((a) => a.id)).not.toContain(agent.id);
      expect(agents).toHaveLength(1);
    });

    it('needs a session', async () => {
      expectFailure(await get('/api/agent/team', null), 401, 'unauthenticated');
    });
  });

  describe('chat setting transcript_on_close', () => {
    const settingsOf = async (session: Session = api.admin): Promise<ChatSettingsDto> => {
      const res = await get('/api/agent/settings', session);
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ settings: ChatSettingsDto }>().settings;
    };

    it('is off by default, and an admin turns it on and off again without touching the other settings', async () => {
      expect(await settingsOf()).toMatchObject({ transcript_on_close: false });
      const on = await patch('/api/agent/settings', { transcript_on_close: true });
      expect(on.statusCode, on.body).toBe(200);
      expect(on.json<{ settings: ChatSettingsDto }>().settings).toMatchObject({ transcript_on_close: true, offline_mode: 'form', auto_assign: false });
      const { session } = await sam();
      expect(await settingsOf(session), 'every agent reads it').toMatchObject({ transcript_on_close: true });
      await patch('/api/agent/settings', { greeting: 'Hello' });
      expect(await settingsOf()).toMatchObject({ transcript_on_close: true, greeting: 'Hello' });
      await patch('/api/agent/settings', { transcript_on_close: false });
      expect(await settingsOf()).toMatchObject({ transcript_on_close: false });
    });

    it('is changed by admins only', async () => {
      const { session } = await sam();
      expectFailure(await patch('/api/agent/settings', { transcript_on_close: true }, session), 403, 'forbidden');
      expect(await settingsOf()).toMatchObject({ transcript_on_close: false });
    });

    it('refuses any value but a boolean with 422 naming the field, and changes nothing', async () => {
      await fc.assert(
        fc.asyncProperty(notABoolean, async (value) => {
          const error = expectFailure(await patch('/api/agent/settings', { transcript_on_close: value }), 422, 'validation_failed', 'transcript_on_close');
          expect(error.fields?.transcript_on_close).toBe('must be true or false');
        }),
        { numRuns: 30 },
      );
      expect(await settingsOf()).toMatchObject({ transcript_on_close: false });
    });
  });
});

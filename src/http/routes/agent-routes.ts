import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toAgentDto, type AgentService, type AuthenticatedAgent } from '../../agents/agent-service.js';
import type { AgentStatusService } from '../../agents/agent-status.js';
import type { InboxService } from '../../chat/inbox-service.js';
import type { Rate } from '../../config/rate.js';
import { HttpFailure, sendFailure } from '../../errors/http-failure.js';
import { loginAccountKey } from '../login-account-key.js';
import { tokenAgentAuth } from '../api-token-auth.js';
import { perIpLimit } from '../per-ip-limit.js';
import { agentMePatchBody, agentPatchBody, assignBody, conversationsQuery, loginBody, messagesQuery, newAgentBody, passwordChangeBody, pathId, readBody, sendBody } from '../schemas.js';
import { validate } from '../validation.js';
import { settingsRoutes, type SettingsRouteDeps } from './settings-routes.js';
import { SESSION_COOKIE } from '../session-cookie.js';

export { SESSION_COOKIE };

export interface AgentRouteDeps extends SettingsRouteDeps {
  agents: AgentService;
  inbox: InboxService;
  /** `PATCH /api/agent/me {status}`: online or away. */
  status: AgentStatusService;
  loginRate: Rate;
  /** Login attempts per account (normalised email), whatever the IP: `AGENT_RATE_LIMIT_LOGIN_ACCOUNT`. */
  loginAccountRate: Rate;
  cookie: { secure: boolean; maxAgeSeconds: number };
}

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The agent of a session (`sessionToken`) or of an API token (`apiToken`; its scope already
     * applied: a `write` token's agent has the role `agent`, docs/api.md, "API tokens").
     */
    agentAuth?: AuthenticatedAgent & { sessionToken?: string; apiToken?: { id: number; scope: 'read' | 'write' | 'admin' } };
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The agent API (docs/api.md, "Agent API"): cookie sessions, CSRF on every state change, admin-only management. */
export async function agentRoutes(app: FastifyInstance, deps: AgentRouteDeps): Promise<void> {
  const { agents, inbox } = deps;
  const setSessionCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.cookie.secure,
      path: '/',
      maxAge: deps.cookie.maxAgeSeconds,
    });

  // Per account as well as per IP: a botnet spreading guesses over many IPs still gets a few per account.
  const accountAttempts = app.createRateLimit({
    max: deps.loginAccountRate.max,
    timeWindow: deps.loginAccountRate.windowMs,
    keyGenerator: (r) => `login-account:${loginAccountKey(r.body) ?? ''}`,
    allowList: (r) => loginAccountKey(r.body) === undefined,
  });
  app.post(
    '/api/agent/login',
    {
      config: perIpLimit('login', deps.loginRate),
      preHandler: async (request, reply) => {
        const limit = await accountAttempts(request);
        if (limit.isAllowed || !limit.isExceeded) return;
        reply.header('retry-after', String(limit.ttlInSeconds));
        throw new HttpFailure('rate_limited', `Too many login attempts for this account; retry in ${limit.ttlInSeconds} s.`);
      },
    },
    async (request, reply) => {
      const input = validate(loginBody, request.body);
      if (!input.ok) return sendFailure(reply, input.error);
      const result = await agents.login(input.value.email, input.value.password, { ip: request.ip, userAgent: String(request.headers['user-agent'] ?? '') });
      if (!result.ok) return sendFailure(reply, result.error);
      setSessionCookie(reply, result.value.sessionToken);
      return { agent: toAgentDto(result.value.agent), csrf_token: result.value.csrfToken };
    },
  );

  // Everything below needs a session; state changes also need the X-CSRF-Token header.
  await app.register(async (authed) => {
    authed.addHook('preHandler', requireAgentSession(agents));
    // Set by the hook above on every request that reaches a handler.
    const session = (request: FastifyRequest) => request.agentAuth as NonNullable<FastifyRequest['agentAuth']>;
    const me = (request: FastifyRequest) => session(request).agent;
    const conversationId = (request: FastifyRequest): number => {
      const id = pathId((request.params as { id: string }).id);
      if (id === undefined) throw new HttpFailure('not_found', 'Conversation not found.');
      return id;
    };

    authed.post('/api/agent/logout', async (request, reply) => {
      const sessionToken = session(request).sessionToken;
      // An API token has no session to end (revoke it instead).
      if (sessionToken !== undefined) await agents.logout(sessionToken);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    });

    // Ends every session of this agent, this one included, and every realtime connection they authorised.
    authed.post('/api/agent/me/logout-all', async (request, reply) => {
      await agents.logoutEverywhere(me(request).id);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    });

    // Checked against the current password, so it is limited like login (argon2 work per guess).
    authed.post(
      '/api/agent/me/password',
      { config: perIpLimit('password', deps.loginRate) },
      async (request, reply) => {
        const auth = session(request);
        // A leaked token must not become the account: the password changes in a dashboard session only.
        if (auth.sessionToken === undefined) return sendFailure(reply, { code: 'forbidden', message: 'Change the password in the dashboard: API tokens cannot.' });
        const input = validate(passwordChangeBody, request.body);
        if (!input.ok) return sendFailure(reply, input.error);
        const result = await agents.changeOwnPassword(auth.agent.id, auth.sessionToken, input.value.current_password, input.value.password);
        return result.ok ? reply.code(204).send() : sendFailure(reply, result.error);
      },
    );

    authed.get('/api/agent/me', async (request, reply) => {
      const auth = session(request);
      if (auth.sessionToken === undefined) return { agent: toAgentDto(auth.agent), csrf_token: null };
      setSessionCookie(reply, auth.sessionToken);
      return { agent: toAgentDto(auth.agent), csrf_token: auth.csrfToken };
    });

    authed.patch('/api/agent/me', async (request, reply) => {
      const input = validate(agentMePatchBody, request.body);
      if (!input.ok) return sendFailure(reply, input.error);
      const { status, ...prefs } = input.value;
      const agent = await agents.setNotifications(me(request), prefs);
      return { agent: toAgentDto(status === undefined ? agent : await deps.status.set(agent, status)) };
    });

    // Every agent sees who is on the team and their status; emails and account details stay admin-only.
    authed.get('/api/agent/team', async () => ({
      agents: (await agents.team()).map((a) => ({ id: a.id, name: a.name, role: a.role, status: a.status })),
    }));

    await authed.register(settingsRoutes, { settings: deps.settings });

    authed.get('/api/agent/conversations', async (request, reply) => {
      const query = validate(conversationsQuery, request.query);
      if (!query.ok) return sendFailure(reply, query.error);
      const result = await inbox.list(me(request), query.value);
      return result.ok ? result.value : sendFailure(reply, result.error);
    });

    authed.get('/api/agent/conversations/:id', async (request, reply) => {
      const query = validate(messagesQuery, request.query);
      if (!query.ok) return sendFailure(reply, query.error);
      const result = await inbox.get(conversationId(request), query.value.after, query.value.limit);
      return result.ok ? result.value : sendFailure(reply, result.error);
    });

    authed.post('/api/agent/conversations/:id/messages', async (request, reply) => {
      const id = conversationId(request);
      const input = validate(sendBody, request.body);
      if (!input.ok) return sendFailure(reply, input.error);
      const result = await inbox.reply(me(request), id, input.value.body, input.value.client_message_id ?? null);
      if (!result.ok) return sendFailure(reply, result.error);
      return reply.code(result.value.created ? 201 : 200).send({ message: result.value.message });
    });

    authed.post('/api/agent/conversations/:id/assign', async (request, reply) => {
      const id = conversationId(request);
      const input = validate(assignBody, request.body);
      if (!input.ok) return sendFailure(reply, input.error);
      const target = input.value.agent_id === undefined ? me(request).id : input.value.agent_id;
      const result = await inbox.assign(id, target);
      return result.ok ? { conversation: result.value } : sendFailure(reply, result.error);
    });

    authed.post('/api/agent/conversations/:id/close', async (request, reply) => {
      const result = await inbox.close(conversationId(request));
      return result.ok ? { conversation: result.value } : sendFailure(reply, result.error);
    });

    authed.post('/api/agent/conversations/:id/reopen', async (request, reply) => {
      const result = await inbox.reopen(conversationId(request));
      return result.ok ? { conversation: result.value } : sendFailure(reply, result.error);
    });

    authed.post('/api/agent/conversations/:id/read', async (request, reply) => {
      const id = conversationId(request);
      const input = validate(readBody, request.body);
      if (!input.ok) return sendFailure(reply, input.error);
      const result = await inbox.markRead(me(request), id, input.value.seq);
      return result.ok ? reply.code(204).send() : sendFailure(reply, result.error);
    });

    // Agent management: admins only.
    await authed.register(async (admin) => {
      admin.addHook('preHandler', async (request) => {
        if (me(request).role !== 'admin') throw new HttpFailure('forbidden', 'Only admins can manage agents.');
      });

      admin.get('/api/agent/agents', async () => ({ agents: (await agents.list()).map(toAgentDto) }));

      admin.post('/api/agent/agents', async (request, reply) => {
        const input = validate(newAgentBody, request.body);
        if (!input.ok) return sendFailure(reply, input.error);
        const result = await agents.create(input.value);
        return result.ok ? reply.code(201).send({ agent: toAgentDto(result.value) }) : sendFailure(reply, result.error);
      });

      admin.patch('/api/agent/agents/:id', async (request, reply) => {
        const id = pathId((request.params as { id: string }).id);
        if (id === undefined) return sendFailure(reply, { code: 'not_found', message: 'Agent not found.' });
        const input = validate(agentPatchBody, request.body);
        if (!input.ok) return sendFailure(reply, input.error);
        const result = await agents.update(me(request), id, input.value, session(request).sessionToken);
        return result.ok ? { agent: toAgentDto(result.value) } : sendFailure(reply, result.error);
      });
    });
  });
}

/**
 * The agent API's session and CSRF check as a `preHandler` hook: sets `request.agentAuth`, or
 * refuses with 401 / 403 `csrf_mismatch`; a request authenticated by an API token passes with
 * that token's scope (src/http/api-token-auth.ts). Exported for route files registered beside `agentRoutes`.
 */
export function requireAgentSession(agents: Pick<AgentService, 'authenticate' | 'checkCsrf'>) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = request.cookies[SESSION_COOKIE];
    // No cookie but a valid API token (checked, and rate limited, by `installApiTokenAuth`): no CSRF, the token's scope.
    if (token === undefined && request.apiTokenAuth) {
      const { tokenId, scope } = request.apiTokenAuth;
      request.agentAuth = { ...tokenAgentAuth(request, request.apiTokenAuth), apiToken: { id: tokenId, scope } };
      return;
    }
    const auth = token === undefined ? undefined : await agents.authenticate(token);
    if (!auth || token === undefined) throw new HttpFailure('unauthenticated', 'Log in first: no valid agent session.');
    if (!SAFE_METHODS.has(request.method) && !agents.checkCsrf(token, headerValue(request, 'x-csrf-token'))) {
      throw new HttpFailure('csrf_mismatch', 'The X-CSRF-Token header is missing or does not match this session.');
    }
    request.agentAuth = { ...auth, sessionToken: token };
  };
}

/** The agent a request authenticated by `requireAgentSession` belongs to. */
export function sessionAgent(request: FastifyRequest): AuthenticatedAgent['agent'] {
  if (!request.agentAuth) throw new HttpFailure('unauthenticated', 'Log in first: no valid agent session.');
  return request.agentAuth.agent;
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

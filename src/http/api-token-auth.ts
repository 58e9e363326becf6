import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiTokenService, TokenAuth } from '../agents/api-tokens.js';
import type { AuthenticatedAgent } from '../agents/agent-service.js';
import type { Rate } from '../config/rate.js';
import { HttpFailure } from '../errors/http-failure.js';
import { SESSION_COOKIE } from './session-cookie.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the request carried a valid `Authorization: Bearer parley_pat_…` and no session cookie. */
    apiTokenAuth?: TokenAuth;
  }
}

const READ_METHODS = new Set(['GET', 'HEAD']);

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer +(\S*) *$/i.exec(header);
  return match ? (match[1] ?? '') : undefined;
}

/**
 * API tokens on the agent API (docs/api.md, "API tokens"): a request without a session cookie
 * but with `Authorization: Bearer …` is authenticated by the token (401 when it is unknown,
 * revoked, expired or its owner deactivated) and counted against the token's own rate limit.
 * `requireAgentSession` then lets it through with the token's scope (`tokenAgentAuth`).
 */
export function installApiTokenAuth(app: FastifyInstance, deps: { tokens: Pick<ApiTokenService, 'authenticate'>; rate: Rate }): void {
  const perToken = app.createRateLimit({
    max: deps.rate.max,
    timeWindow: deps.rate.windowMs,
    keyGenerator: (r) => `api-token:${r.apiTokenAuth?.tokenId ?? 0}`,
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.cookies[SESSION_COOKIE] !== undefined) return;
    // Other schemes (Basic auth of a proxy in front of a staging site) are not ours to judge.
    const token = bearer(request);
    if (token === undefined) return;
    const auth = await deps.tokens.authenticate(token);
    if (!auth) throw new HttpFailure('unauthenticated', 'The API token is unknown, revoked or expired.');
    request.apiTokenAuth = auth;
    const limit = await perToken(request);
    if (limit.isAllowed || !limit.isExceeded) return;
    reply.header('retry-after', String(limit.ttlInSeconds));
    throw new HttpFailure('rate_limited', `Too many requests with this API token; retry in ${limit.ttlInSeconds} s.`);
  });
}

/**
 * What a token may do, as `requireAgentSession` applies it: `read` only GET and HEAD (else 403);
 * `write` acts as a non-admin agent, so admin-only routes answer 403; `admin` has its owner's role.
 */
export function tokenAgentAuth(request: FastifyRequest, auth: TokenAuth): AuthenticatedAgent {
  if (auth.scope === 'read' && !READ_METHODS.has(request.method)) {
    throw new HttpFailure('forbidden', 'This API token has the read scope: it can only GET.');
  }
  const agent = auth.scope === 'admin' ? auth.agent : { ...auth.agent, role: 'agent' as const };
  return { agent, csrfToken: '' };
}

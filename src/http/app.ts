import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { PasswordWorkBusy } from '../agents/passwords.js';
import type { Config } from '../config/config.js';
import type { Metrics } from '../ops/metrics.js';
import { isClientAbort } from './framework-errors.js';
import { HttpFailure, sendFailure } from '../errors/http-failure.js';
import { createHttpServer } from './server-options.js';
import { contentSecurityPolicy } from './csp.js';
import { noStoreOnPersonalData } from './no-store.js';
import { agentRoutes, type AgentRouteDeps } from './routes/agent-routes.js';
import { agentAttachmentRoutes, fileRoutes, visitorAttachmentRoutes, type AttachmentRouteDeps } from './routes/attachment-routes.js';
import { broadcastingAuthRoutes, type BroadcastingAuthDeps } from './routes/broadcasting-auth-routes.js';
import { chatRoutes, type ChatRouteDeps } from './routes/chat-routes.js';
import { opsRoutes, type OpsRouteDeps } from '../ops/ops-routes.js';
import { webRoutes } from './routes/web-routes.js';
import { dashboardRoutes } from './routes/dashboard-routes.js';
import { unsubscribeRoutes, type UnsubscribeDeps } from './routes/unsubscribe-routes.js';
import { labelRoutes, type LabelRouteDeps } from './routes/label-routes.js';
import { apiTokenRoutes, type ApiTokenRouteDeps } from './routes/api-token-routes.js';
import { installApiTokenAuth } from './api-token-auth.js';
import { privacyRoutes, type PrivacyRouteDeps } from './routes/privacy-routes.js';
import { ratingRoutes, type RatingReportRouteDeps } from './routes/rating-routes.js';
import { noteRoutes, type NoteRouteDeps } from './routes/note-routes.js';
import { cannedRoutes, type CannedRouteDeps } from './routes/canned-routes.js';
import { searchRoutes, type SearchRouteDeps } from './routes/search-routes.js';
import { webhookRoutes, type WebhookRouteDeps } from './routes/webhook-routes.js';

export interface AppDeps {
  config: Pick<Config, 'http' | 'chat' | 'rateLimits' | 'agents' | 'broadcast' | 'attachments'>;
  logger: Logger;
  metrics: Metrics;
  chat: Omit<ChatRouteDeps, 'rates' | 'identity'>;
  agents: Omit<AgentRouteDeps, 'loginRate' | 'loginAccountRate' | 'cookie'>;
  checks: OpsRouteDeps['checks'];
  /** `POST /broadcasting/auth` and `/broadcasting/user-auth`: signing with the app browsers connect to. */
  broadcastingAuth: Omit<BroadcastingAuthDeps, 'rate' | 'identity'>;
  /**
   * Multi-node: rate limits counted in Redis, so every node enforces the same budget. `client` is
   * handed to @fastify/rate-limit as is (an ioredis client): HTTP does not depend on the driver.
   */
  rateLimitRedis?: { client: unknown; nameSpace: string };
  /** `/api/agent/labels` and `PUT /api/agent/conversations/{id}/labels` (docs/api.md, "Labels"). */
  labels: LabelRouteDeps['labels'];
  /** `Authorization: Bearer` on the agent API and `/api/agent/tokens` (docs/api.md, "API tokens"); absent, tokens are refused. */
  apiTokens?: ApiTokenRouteDeps['tokens'];
  /** `/api/agent/visitors/export` and `/erase` (docs/privacy.md); absent, they answer 404. */
  privacy?: PrivacyRouteDeps['privacy'];
  /** `GET /api/agent/reports/ratings` (docs/api.md, "Ratings report"). */
  ratingReports: RatingReportRouteDeps['ratings'];
  /** `/api/agent/canned-responses` (docs/api.md, "Canned responses"). */
  canned: CannedRouteDeps['canned'];
  /** `POST /api/agent/conversations/{id}/notes` (docs/api.md, "Internal notes"). */
  notes: NoteRouteDeps['notes'];
  /** `GET /api/agent/search` (docs/api.md, "Search"). */
  search: SearchRouteDeps['search'];
  /** `/api/agent/webhooks` (docs/webhooks.md); absent, they answer 404. */
  webhooks?: WebhookRouteDeps['webhooks'];
  /** Uploads by visitors and agents, and downloads at signed URLs (docs/api.md, "Attachments"). */
  attachments: AttachmentRouteDeps['attachments'];
  /** `GET`/`POST /email/unsubscribe` (docs/email.md, "Unsubscribe"); absent, the links answer 404. */
  unsubscribe?: UnsubscribeDeps;
  /** More route plugins (the Pusher HTTP API and channel auth when the realtime server is embedded). */
  plugins?: ((app: FastifyInstance) => Promise<void>)[];
}

/** Fastify errors we answer with our own codes instead of Fastify's. */
const FASTIFY_ERRORS: Record<string, { code: 'invalid_json' | 'payload_too_large' | 'unsupported_media_type' | 'bad_request'; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_json', message: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'invalid_json', message: 'The request body is empty but Content-Type is application/json.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', message: 'The request body is too large.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type', message: 'Send JSON with Content-Type: application/json.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'bad_request', message: 'Content-Length does not match the body.' },
};

/** Builds the HTTP application: chat API, agent API, health and metrics. Listening is the caller's. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  // Requests are logged once, at debug level, by the onResponse hook below.
  const app = createHttpServer(deps.logger, config.http.timeouts, { bodyLimit: config.http.bodyLimit, trustProxy: config.http.trustProxy });

  app.setErrorHandler((error: FastifyError & { failure?: HttpFailure['failure'] }, request, reply) => {
    if (error instanceof HttpFailure) return sendFailure(reply, error.failure);
    const known = FASTIFY_ERRORS[error.code];
    if (known) return sendFailure(reply, known);
    if (error.statusCode === 429) return sendFailure(reply, { code: 'rate_limited', message: error.message });
    if (error instanceof PasswordWorkBusy) return sendFailure(reply.header('retry-after', '1'), { code: 'service_unavailable', message: error.message });
    if (error instanceof SyntaxError) return sendFailure(reply, FASTIFY_ERRORS.FST_ERR_CTP_INVALID_JSON_BODY as { code: 'invalid_json'; message: string });
    // A client that hung up mid-body: nothing failed here, and no one reads the answer.
    if (isClientAbort(error, request.raw)) {
      request.log.debug({ url: request.url, method: request.method }, 'request aborted by the client');
      return sendFailure(reply, { code: 'request_aborted', message: 'The client closed the connection before the request was complete.' });
    }
    // Any other refusal by the framework (a 4xx it raised itself) is the client's mistake, not ours.
    if (error.code?.startsWith('FST_') && typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return sendFailure(reply, { code: 'bad_request', message: 'The request is malformed.' });
    }
    request.log.error({ err: error, url: request.url, method: request.method }, 'request failed');
    return sendFailure(reply, { code: 'internal_error', message: 'Something went wrong on our side; it has been logged.' });
  });
  app.setNotFoundHandler((_request, reply) => sendFailure(reply, { code: 'not_found', message: 'No such endpoint.' }));

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.request(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    request.log.debug({ method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  // JSON only: a text/plain body is refused with 415 rather than handed to validation as a string.
  app.removeContentTypeParser('text/plain');
  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    // Shared counters when several nodes serve the site; if Redis fails, requests are served rather than refused.
    ...(deps.rateLimitRedis ? { redis: deps.rateLimitRedis.client, nameSpace: deps.rateLimitRedis.nameSpace, skipOnError: true } : {}),
    errorResponseBuilder: (_request, context) => {
      const error = new Error(`Too many requests: at most ${context.max} in this period; retry in ${context.after}.`) as Error & { statusCode: number };
      error.statusCode = 429;
      return error;
    },
  });

  await app.register(opsRoutes, { checks: deps.checks, metrics: deps.metrics, metricsToken: config.http.metricsToken });
  // The widget's scripts and the demo page: loaded by any site, outside the API's CORS rules.
  const csp = contentSecurityPolicy(config.broadcast);
  await app.register(webRoutes, { csp });
  await app.register(dashboardRoutes, { csp });

  // The customer API is called from other sites (the widget): CORS and the embedding allow-list apply.
  await app.register(async (publicApi) => {
    const allowed = config.chat.allowedOrigins;
    const own = new URL(config.http.appUrl).origin;
    const isAllowed = (origin: string | undefined) => origin === undefined || allowed === '*' || origin === own || allowed.includes(origin);
    await publicApi.register(cors, {
      origin: (origin, callback) => callback(null, isAllowed(origin) ? (allowed === '*' ? '*' : (origin ?? false)) : false),
      methods: ['GET', 'POST'],
      allowedHeaders: ['Content-Type', 'Authorization', 'X-Client-Fingerprint', 'X-Parley-Identity', 'X-Requested-With', 'X-Socket-ID'],
      maxAge: 600,
    });
    // Transcripts, names and tokens must not linger in browser or proxy caches (scoped: the Pusher HTTP API pays nothing).
    publicApi.addHook('onSend', noStoreOnPersonalData);
    publicApi.addHook('onRequest', async (request) => {
      const origin = request.headers.origin;
      if (!isAllowed(origin)) {
        throw new HttpFailure('origin_not_allowed', `Origin ${origin} is not in CHAT_ALLOWED_ORIGINS.`);
      }
    });
    await publicApi.register(chatRoutes, { ...deps.chat, rates: config.rateLimits, identity: config.chat.identity });
    await publicApi.register(visitorAttachmentRoutes, { attachments: deps.attachments, chat: deps.chat.chat, maxBytes: config.attachments.maxBytes, rate: config.rateLimits.upload, identity: config.chat.identity });
    // The widget authorises its channel subscription from the embedding site too.
    await publicApi.register(broadcastingAuthRoutes, { ...deps.broadcastingAuth, rate: config.rateLimits.broadcastAuth, identity: config.chat.identity });
  });

  await app.register(async (agentApi) => {
    agentApi.addHook('onSend', noStoreOnPersonalData);
    if (deps.apiTokens) installApiTokenAuth(agentApi, { tokens: deps.apiTokens, rate: config.rateLimits.apiToken });
    await agentApi.register(agentRoutes, {
      ...deps.agents,
      loginRate: config.rateLimits.login,
      loginAccountRate: config.rateLimits.loginAccount,
      cookie: { secure: config.http.secureCookies, maxAgeSeconds: Math.floor(config.agents.sessionLifetimeMs / 1000) },
    });
    await agentApi.register(labelRoutes, { agents: deps.agents.agents, labels: deps.labels });
    if (deps.apiTokens) await agentApi.register(apiTokenRoutes, { agents: deps.agents.agents, tokens: deps.apiTokens });
    if (deps.privacy) await agentApi.register(privacyRoutes, { agents: deps.agents.agents, privacy: deps.privacy });
    await agentApi.register(ratingRoutes, { agents: deps.agents.agents, ratings: deps.ratingReports });
    await agentApi.register(noteRoutes, { agents: deps.agents.agents, notes: deps.notes });
    await agentApi.register(cannedRoutes, { agents: deps.agents.agents, canned: deps.canned });
    await agentApi.register(searchRoutes, { agents: deps.agents.agents, search: deps.search });
    if (deps.webhooks) await agentApi.register(webhookRoutes, { agents: deps.agents.agents, webhooks: deps.webhooks });
    await agentApi.register(agentAttachmentRoutes, { agents: deps.agents.agents, attachments: deps.attachments, maxBytes: config.attachments.maxBytes });
  });

  // Downloads: loaded by <img> and links on any site; the signed URL is the permission, not CORS or a cookie.
  await app.register(fileRoutes, { attachments: deps.attachments });

  if (deps.unsubscribe) await app.register(unsubscribeRoutes, deps.unsubscribe);
  for (const plugin of deps.plugins ?? []) await app.register(plugin);

  return app;
}

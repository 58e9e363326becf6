import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ChatService, VisitorAccess, VisitorContext } from '../../chat/chat-service.js';
import type { EmailLinks } from '../../chat/email-links.js';
import type { RatingService } from '../../chat/ratings.js';
import type { TranscriptService } from '../../chat/transcript-service.js';
import type { Rate } from '../../config/rate.js';
import { HttpFailure, sendFailure } from '../../errors/http-failure.js';
import { ratingBody } from '../label-rating-schema.js';
import { perIpLimit } from '../per-ip-limit.js';
import { fingerprint as fingerprintSchema, linkBody, lookupBody, messagesQuery, pathId, readBody, resumeBody, sendBody, startBody } from '../schemas.js';
import { validate } from '../validation.js';
import { identityHeader, visitorIdentity, type IdentityKey } from '../visitor-identity.js';
import type { WidgetConfig } from '../widget-config.js';

export interface ChatRouteDeps {
  chat: ChatService;
  transcripts: TranscriptService;
  /** `POST /api/chat/{id}/rating` (docs/api.md, "Ratings"). */
  ratings: RatingService;
  /** Opens a conversation from a follow-up email's link. */
  links: EmailLinks;
  widgetConfig: () => Promise<WidgetConfig>;
  rates: { start: Rate; send: Rate; lookup: Rate; resume: Rate; read: Rate; transcript: Rate };
  /** Verified visitors (docs/identity.md); undefined: identity tokens are refused. */
  identity: IdentityKey;
}

const NOT_FOUND = { code: 'not_found', message: 'Conversation not found.' } as const;

/** The customer API (docs/api.md, "Customer API"). Conversation routes answer 404 alike for "missing" and "not yours". */
export async function chatRoutes(app: FastifyInstance, deps: ChatRouteDeps): Promise<void> {
  const { chat } = deps;

  app.get('/api/chat/config', async () => deps.widgetConfig());

  app.post('/api/chat/start', { config: perIpLimit('start', deps.rates.start) }, async (request, reply) => {
    const input = validate(startBody, request.body);
    if (!input.ok) return sendFailure(reply, input.error);
    const b = input.value;
    const ctx = visitorContext(request, b.fingerprint);
    const token = bearer(request);
    const identity = await visitorIdentity(b.identity_token, deps.identity);
    const result = await chat.start(
      {
        identity,
        name: b.name,
        email: b.email,
        message: b.message,
        clientMessageId: b.client_message_id,
        pageUrl: b.page_url,
        referrer: b.referrer || undefined,
        resume: token !== undefined && b.conversation_id !== undefined ? { conversationId: b.conversation_id, token } : undefined,
      },
      ctx,
    );
    if (!result.ok) return sendFailure(reply, result.error);
    return reply.code(result.value.resumed ? 200 : 201).send(result.value);
  });

  app.post('/api/chat/lookup', { config: perIpLimit('lookup', deps.rates.lookup) }, async (request, reply) => {
    const input = validate(lookupBody, { fingerprint: request.headers['x-client-fingerprint'], ...(request.body as object) });
    if (!input.ok) return sendFailure(reply, input.error);
    // A verified visitor gets their own newest conversation, never one found by fingerprint.
    const identity = await visitorIdentity(input.value.identity_token, deps.identity);
    if (identity) return chat.lookupUser(identity);
    return chat.lookup(input.value.fingerprint, visitorContext(request, input.value.fingerprint));
  });

  app.post('/api/chat/resume', { config: perIpLimit('resume', deps.rates.resume) }, async (request, reply) => {
    const input = validate(resumeBody, { fingerprint: request.headers['x-client-fingerprint'], ...(request.body as object) });
    if (!input.ok) return sendFailure(reply, input.error);
    const result = await chat.resume(input.value.resume_ticket, input.value.fingerprint, visitorContext(request, input.value.fingerprint));
    if (!result.ok) return sendFailure(reply, result.error);
    return result.value;
  });

  app.post('/api/chat/link', { config: perIpLimit('resume', deps.rates.resume) }, async (request, reply) => {
    const input = validate(linkBody, request.body);
    if (!input.ok) return sendFailure(reply, input.error);
    const result = await deps.links.redeem(input.value.token);
    if (!result.ok) return sendFailure(reply, result.error);
    return result.value;
  });

  /** Resolves `:id` plus the bearer token to the visitor's access, or fails with the uniform 404. */
  const access = async (request: FastifyRequest): Promise<VisitorAccess> => {
    const id = pathId((request.params as { id: string }).id);
    const token = bearer(request);
    const found = id === undefined || token === undefined ? undefined : await chat.authorize(id, token, await identityHeader(request, deps.identity));
    if (!found) throw new HttpFailure(NOT_FOUND.code, NOT_FOUND.message);
    return found;
  };

  app.get('/api/chat/:id/status', async (request) => chat.status(await access(request)));

  app.get('/api/chat/:id/messages', async (request, reply) => {
    const visitor = await access(request);
    const query = validate(messagesQuery, request.query);
    if (!query.ok) return sendFailure(reply, query.error);
    return chat.messages(visitor, query.value.after, query.value.limit);
  });

  app.post('/api/chat/:id/messages', { config: perIpLimit('send', deps.rates.send) }, async (request, reply) => {
    const visitor = await access(request);
    const input = validate(sendBody, request.body);
    if (!input.ok) return sendFailure(reply, input.error);
    const result = await chat.send(visitor, input.value.body, input.value.client_message_id ?? null);
    if (!result.ok) return sendFailure(reply, result.error);
    return reply.code(result.value.created ? 201 : 200).send({ message: result.value.message });
  });

  app.post('/api/chat/:id/read', { config: perIpLimit('read', deps.rates.read) }, async (request, reply) => {
    const visitor = await access(request);
    const input = validate(readBody, request.body);
    if (!input.ok) return sendFailure(reply, input.error);
    await chat.markRead(visitor, input.value.seq);
    return reply.code(204).send();
  });

  // Per conversation as well as per IP, counted only once the token is proven: a stranger guessing
  // ids cannot spend a visitor's budget, and many IPs together cannot flood one inbox.
  const transcriptsPerConversation = app.createRateLimit({
    max: deps.rates.transcript.max,
    timeWindow: deps.rates.transcript.windowMs,
    keyGenerator: (r) => `transcript-conversation:${(r.params as { id: string }).id}`,
  });
  app.post('/api/chat/:id/transcript', { config: perIpLimit('transcript', deps.rates.transcript) }, async (request, reply) => {
    const visitor = await access(request);
    const limit = await transcriptsPerConversation(request);
    if (!limit.isAllowed && limit.isExceeded) {
      reply.header('retry-after', String(limit.ttlInSeconds));
      throw new HttpFailure('rate_limited', `Too many transcripts requested for this conversation; retry in ${limit.ttlInSeconds} s.`);
    }
    const result = await deps.transcripts.request(visitor);
    if (!result.ok) return sendFailure(reply, result.error);
    return reply.code(202).send(result.value);
  });

  // Once per closed conversation: the per-IP budget of messages is plenty.
  app.post('/api/chat/:id/rating', { config: perIpLimit('rating', deps.rates.send) }, async (request, reply) => {
    const visitor = await access(request);
    const input = validate(ratingBody, request.body);
    if (!input.ok) return sendFailure(reply, input.error);
    const result = await deps.ratings.rate(visitor, input.value.score, input.value.comment ?? null);
    return result.ok ? reply.code(201).send({ rating: result.value }) : sendFailure(reply, result.error);
  });
}

/** The visitor's IP (socket, or proxy header under TRUST_PROXY), user agent, fingerprint (body or header) and site. */
function visitorContext(request: FastifyRequest, fromBody: string | undefined): VisitorContext {
  const header = request.headers['x-client-fingerprint'];
  const fingerprint = fromBody ?? (typeof header === 'string' && fingerprintSchema.safeParse(header).success ? header : undefined);
  return { ip: request.ip, userAgent: String(request.headers['user-agent'] ?? '').slice(0, 512), fingerprint, origin: siteOrigin(request.headers.origin) };
}

/**
 * The `Origin` header when it names an `http(s)` site in its serialized form; otherwise nothing.
 * `null` (sandboxed frames, some redirects) is shared by every opaque origin, so it is treated as
 * no origin at all: rules 5 and 6 never match it.
 */
export function siteOrigin(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string' || header.length > 300) return undefined;
  try {
    const url = new URL(header);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === header ? header : undefined;
  } catch {
    return undefined;
  }
}

export function bearer(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+([A-Za-z0-9_-]{20,128})$/.exec(request.headers.authorization ?? '');
  return match?.[1];
}

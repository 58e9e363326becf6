import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AgentService } from '../../agents/agent-service.js';
import type { AttachmentService, Upload, Uploader } from '../../chat/attachments/attachment-service.js';
import { contentDisposition } from '../../chat/attachments/file-policy.js';
import type { ChatService } from '../../chat/chat-service.js';
import type { Rate } from '../../config/rate.js';
import { ok, type Result } from '../../errors/error-codes.js';
import { HttpFailure, sendFailure } from '../../errors/http-failure.js';
import { acceptMultipart, readUpload } from '../multipart-upload.js';
import { perIpLimit } from '../per-ip-limit.js';
import { pathId, uploadFields } from '../schemas.js';
import { validate } from '../validation.js';
import { identityHeader, type IdentityKey } from '../visitor-identity.js';
import { requireAgentSession, sessionAgent } from './agent-routes.js';
import { bearer } from './chat-routes.js';

export interface AttachmentRouteDeps {
  attachments: Pick<AttachmentService, 'upload' | 'download'>;
  /** `CHAT_ATTACHMENT_MAX_MB` in bytes. */
  maxBytes: number;
}

const NOT_FOUND = { code: 'not_found', message: 'Conversation not found.' } as const;

/**
 * `POST /api/chat/{id}/attachments` (docs/api.md, "Attachments"): the visitor's bearer token, a
 * per-IP budget (`CHAT_RATE_LIMIT_UPLOAD`). Registered inside the customer API's scope (CORS,
 * allowed origins); multipart is accepted here only.
 */
export async function visitorAttachmentRoutes(app: FastifyInstance, deps: AttachmentRouteDeps & { chat: Pick<ChatService, 'authorize'>; rate: Rate; identity: IdentityKey }): Promise<void> {
  await acceptMultipart(app, deps.maxBytes);
  app.post('/api/chat/:id/attachments', { config: perIpLimit('upload', deps.rate) }, async (request, reply) => {
    // The token is checked before a byte of the file is read.
    const id = pathId((request.params as { id: string }).id);
    const token = bearer(request);
    const access = id === undefined || token === undefined ? undefined : await deps.chat.authorize(id, token, await identityHeader(request, deps.identity));
    if (!access) throw new HttpFailure(NOT_FOUND.code, NOT_FOUND.message);
    return send(request, reply, deps, { kind: 'visitor', access });
  });
}

/**
 * `POST /api/agent/conversations/{id}/attachments`: the agent's session and CSRF token, like
 * every agent write; registered inside the agent API's scope.
 */
export async function agentAttachmentRoutes(app: FastifyInstance, deps: AttachmentRouteDeps & { agents: Pick<AgentService, 'authenticate' | 'checkCsrf'> }): Promise<void> {
  app.addHook('preHandler', requireAgentSession(deps.agents));
  await acceptMultipart(app, deps.maxBytes);
  app.post('/api/agent/conversations/:id/attachments', async (request, reply) => {
    const conversationId = pathId((request.params as { id: string }).id);
    if (conversationId === undefined) throw new HttpFailure(NOT_FOUND.code, NOT_FOUND.message);
    return send(request, reply, deps, { kind: 'agent', agentId: sessionAgent(request).id, conversationId });
  });
}

const FILE_NOT_FOUND = { code: 'not_found', message: 'File not found.' } as const;

/**
 * `GET` (and `HEAD`) `/api/files/{id}/{name}?expires=&sig=`: no cookie and no token, the signature
 * is the permission. Anything wrong (signature, expiry, id) is the same 404. The headers keep a
 * file from ever running as a page of this origin: sniffing off, a sandboxing CSP, and a download
 * unless it is a raster image.
 */
export async function fileRoutes(app: FastifyInstance, deps: Pick<AttachmentRouteDeps, 'attachments'>): Promise<void> {
  app.get('/api/files/:id/:name', async (request, reply) => {
    const id = pathId((request.params as { id: string }).id);
    const query = request.query as { expires?: unknown; sig?: unknown };
    const expires = typeof query.expires === 'string' && /^\d{1,12}$/.test(query.expires) ? Number(query.expires) : undefined;
    const sig = typeof query.sig === 'string' && /^[0-9a-f]{64}$/.test(query.sig) ? query.sig : undefined;
    const found = id === undefined || expires === undefined || sig === undefined ? undefined : await deps.attachments.download(id, expires, sig);
    if (!found) return sendFailure(reply, FILE_NOT_FOUND);
    const { attachment, data } = found;
    return reply
      .header('content-type', attachment.type === 'text/plain' ? 'text/plain; charset=utf-8' : attachment.type)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('content-disposition', contentDisposition(attachment.name, found.image))
      .header('cache-control', `private, max-age=${found.maxAgeSeconds}`)
      .header('cross-origin-resource-policy', 'cross-origin')
      .header('content-length', String(data.byteLength))
      .send(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
}

/** Reads the upload, checks its fields and hands it to the service: 201 new, 200 a retry's stored message. */
async function send(request: FastifyRequest, reply: FastifyReply, deps: AttachmentRouteDeps, who: Uploader): Promise<FastifyReply> {
  const upload = await receive(request, deps.maxBytes);
  if (!upload.ok) {
    // The rest of a refused body is never read: the connection cannot carry another request.
    if (upload.error.code === 'payload_too_large') reply.header('connection', 'close');
    return sendFailure(reply, upload.error);
  }
  const result = await deps.attachments.upload(who, upload.value);
  if (!result.ok) return sendFailure(reply, result.error);
  return reply.code(result.value.created ? 201 : 200).send({ message: result.value.message });
}

async function receive(request: FastifyRequest, maxBytes: number): Promise<Result<Upload>> {
  const received = await readUpload(request, maxBytes);
  if (!received.ok) return received;
  const fields = validate(uploadFields, received.value.fields);
  if (!fields.ok) return fields;
  const body = fields.value.body ?? '';
  return ok({
    data: received.value.data,
    claimedName: received.value.filename,
    body: body.trim() === '' ? '' : body,
    clientMessageId: fields.value.client_message_id ?? null,
  });
}

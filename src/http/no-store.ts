import type { FastifyReply, FastifyRequest } from 'fastify';

/** The APIs whose answers carry personal data (transcripts, names, emails, tokens). */
const PERSONAL_PREFIXES = ['/api/chat/', '/api/agent/'];

/**
 * An `onSend` hook: answers of the chat and agent APIs are never stored by browsers or shared
 * caches (`Cache-Control: no-store`), unless a route chose its own caching.
 */
export async function noStoreOnPersonalData(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (reply.hasHeader('cache-control')) return;
  if (PERSONAL_PREFIXES.some((prefix) => request.url.startsWith(prefix))) reply.header('cache-control', 'no-store');
}

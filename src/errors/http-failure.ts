import type { FastifyReply } from 'fastify';
import { ERROR_CODES, type ErrorCode, type Failure } from './error-codes.js';

/** Writes `{"error":{"code","message","fields?"}}` with the code's status. */
export function sendFailure(reply: FastifyReply, failure: Failure): FastifyReply {
  return reply.code(ERROR_CODES[failure.code]).send({ error: failure });
}

/** A thrown failure, for hooks that cannot return one (auth, CSRF, origin checks). */
export class HttpFailure extends Error {
  readonly failure: Failure;
  constructor(code: ErrorCode, message: string, fields?: Record<string, string>) {
    super(message);
    this.failure = fields ? { code, message, fields } : { code, message };
  }
}

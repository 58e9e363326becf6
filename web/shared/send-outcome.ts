/** What an answer to a queued send means for it: the one table both browser apps' outboxes follow (docs/errors.md). */
import type { ApiErrorCode, ApiResult } from './api-result.js';

/** What one send attempt came to. */
export type SendOutcome =
  /** The server has it: dropped from the queue. */
  | { kind: 'ack' }
  /** Worth trying again: after the back-off, or after `afterMs` when the server asked for longer. */
  | { kind: 'retry'; afterMs?: number }
  /** Refused for good (invalid, too large, forbidden): dropped from the queue and shown as not sent. */
  | { kind: 'failed'; code: ApiErrorCode }
  /** The conversation is closed: the queue stops until resumed. */
  | { kind: 'closed' }
  /** The conversation is unknown (or the token no longer opens it): the queue stops; its owner decides. */
  | { kind: 'gone' }
  /** The session ended: the queue stops until the next login resumes it. */
  | { kind: 'signed-out' };

/**
 * Codes whose HTTP status says what a send should do: no answer, 408, 429 and 5xx are retried;
 * any other refusal (invalid, too large, forbidden) is final. Listed with `BY_CODE` so that a new
 * code does not compile until it is placed in one or the other.
 */
type ReadByStatus =
  | 'invalid_json'
  | 'bad_request'
  | 'bad_url'
  | 'request_aborted'
  | 'csrf_mismatch'
  | 'forbidden'
  | 'origin_not_allowed'
  | 'request_timeout'
  | 'email_taken'
  | 'conversation_open'
  | 'already_rated'
  | 'label_taken'
  | 'payload_too_large'
  | 'quota_exceeded'
  | 'uri_too_long'
  | 'unsupported_media_type'
  | 'validation_failed'
  | 'no_email'
  | 'rate_limited'
  | 'header_too_large'
  | 'internal_error'
  | 'service_unavailable'
  | 'network'
  | 'unexpected_response';

/** The codes that mean more than their status: the conversation or the session is no longer there. */
const BY_CODE: Record<Exclude<ApiErrorCode, ReadByStatus>, SendOutcome['kind']> = {
  unauthenticated: 'signed-out',
  invalid_credentials: 'signed-out',
  not_found: 'gone',
  // The host site's identity token no longer verifies: the widget drops it and starts again anonymously.
  identity_invalid: 'gone',
  conversation_closed: 'closed',
};

const byStatus = (status: number): SendOutcome['kind'] => (status === 0 || status === 408 || status === 429 || status >= 500 ? 'retry' : 'failed');

/** Reads an answer to a send by its `error.code`. */
export function sendOutcome(result: ApiResult<unknown>): SendOutcome {
  if (result.ok) return { kind: 'ack' };
  const { code } = result.error;
  const kind = (BY_CODE as Partial<Record<ApiErrorCode, SendOutcome['kind']>>)[code] ?? byStatus(result.status);
  if (kind === 'retry') return result.retryAfterMs ? { kind, afterMs: result.retryAfterMs } : { kind };
  return kind === 'failed' ? { kind, code } : { kind };
}

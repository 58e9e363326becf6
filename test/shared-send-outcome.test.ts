import { describe, expect, it } from 'vitest';
import { failureOf, networkFailure, type ApiResult } from '../web/shared/api-result.js';
import { sendOutcome } from '../web/shared/send-outcome.js';

const refused = (status: number, code?: string, retryAfter?: string): ApiResult<never> => failureOf(status, code ? { error: { code, message: 'no' } } : '<html>', retryAfter);

describe('reading an answer to a queued send (one table for both outboxes)', () => {
  it('takes a 2xx as acknowledged', () => {
    expect(sendOutcome({ ok: true, status: 201, data: {} })).toEqual({ kind: 'ack' });
  });

  it('stops on a closed conversation, an unknown one, and an ended session', () => {
    expect(sendOutcome(refused(409, 'conversation_closed'))).toEqual({ kind: 'closed' });
    expect(sendOutcome(refused(404, 'not_found'))).toEqual({ kind: 'gone' });
    expect(sendOutcome(refused(401, 'unauthenticated'))).toEqual({ kind: 'signed-out' });
  });

  it('gives up on refusals that sending again cannot change, naming the code', () => {
    for (const [status, code] of [
      [422, 'validation_failed'],
      [400, 'invalid_json'],
      [400, 'bad_request'],
      [413, 'payload_too_large'],
      [403, 'csrf_mismatch'],
      [403, 'origin_not_allowed'],
    ] as const) {
      expect(sendOutcome(refused(status, code))).toEqual({ kind: 'failed', code });
    }
  });

  it('retries the network, throttling and server trouble, honouring Retry-After', () => {
    expect(sendOutcome(networkFailure())).toEqual({ kind: 'retry' });
    expect(sendOutcome(refused(429, 'rate_limited', '7'))).toEqual({ kind: 'retry', afterMs: 7000 });
    expect(sendOutcome(refused(500, 'internal_error'))).toEqual({ kind: 'retry' });
    expect(sendOutcome(refused(503, 'service_unavailable', '2'))).toEqual({ kind: 'retry', afterMs: 2000 });
    expect(sendOutcome(refused(408, 'request_timeout'))).toEqual({ kind: 'retry' });
  });

  it('reads an answer without an error body (a proxy page) by its status', () => {
    expect(sendOutcome(refused(502))).toEqual({ kind: 'retry' });
    expect(sendOutcome(refused(429, undefined, '3'))).toEqual({ kind: 'retry', afterMs: 3000 });
    expect(sendOutcome(refused(403))).toEqual({ kind: 'failed', code: 'unexpected_response' });
  });
});

import { describe, expect, it } from 'vitest';
import { failureOf, networkFailure } from '../web/shared/api-result.js';

describe('API failures as data', () => {
  it('keeps the error body the server sent, with its fields', () => {
    const body = { error: { code: 'validation_failed', message: 'Body is required.', fields: { body: 'is required' } } };
    expect(failureOf(422, body)).toEqual({ ok: false, status: 422, error: body.error });
  });

  it('names a failure without an error body, and one without an answer', () => {
    expect(failureOf(502, undefined)).toMatchObject({ ok: false, status: 502, error: { code: 'unexpected_response' } });
    expect(networkFailure()).toMatchObject({ ok: false, status: 0, error: { code: 'network' } });
  });

  it('reads Retry-After in seconds, ignoring nonsense', () => {
    expect(failureOf(429, undefined, '5')).toMatchObject({ retryAfterMs: 5000 });
    expect(failureOf(429, undefined, 'soon')).not.toHaveProperty('retryAfterMs');
    expect(failureOf(429, undefined, null)).not.toHaveProperty('retryAfterMs');
  });
});

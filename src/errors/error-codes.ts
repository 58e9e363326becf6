/**
 * Every `error.code` the HTTP API answers with, and its status. A closed set: `docs/errors.md`
 * lists each one, and a test keeps the two equal.
 */
export const ERROR_CODES = {
  invalid_json: 400,
  bad_request: 400,
  bad_url: 400,
  request_aborted: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  identity_invalid: 401,
  csrf_mismatch: 403,
  forbidden: 403,
  origin_not_allowed: 403,
  not_found: 404,
  request_timeout: 408,
  conversation_closed: 409,
  conversation_open: 409,
  already_rated: 409,
  label_taken: 409,
  email_taken: 409,
  payload_too_large: 413,
  quota_exceeded: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  validation_failed: 422,
  no_email: 422,
  rate_limited: 429,
  header_too_large: 431,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An expected refusal, as data: what the client did wrong, never a bug. */
export interface Failure {
  code: ErrorCode;
  message: string;
  fields?: Record<string, string>;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(code: ErrorCode, message: string, fields?: Record<string, string>): Result<T> => ({
  ok: false,
  error: fields ? { code, message, fields } : { code, message },
});

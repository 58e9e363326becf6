/** The answer shape of both HTTP APIs as the browser apps see it (docs/errors.md). DOM-free. */
import type { ErrorCode } from '../../src/errors/error-codes.js';

/** An `error.code` the server sends, or one the client names: `network` (no answer) and `unexpected_response` (no JSON error body, e.g. a proxy's page). */
export type ApiErrorCode = ErrorCode | 'network' | 'unexpected_response';

/** The API's error body, `{ error: { code, message, fields? } }`. */
export interface ApiError {
  code: ApiErrorCode;
  message: string;
  fields?: Record<string, string>;
}

/** An answer, or why there is none: `status` 0 means the network failed or timed out. */
export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; error: ApiError; retryAfterMs?: number };

/** The failure for a request that got no answer (offline, timed out, aborted). */
export const networkFailure = (): ApiResult<never> => ({ ok: false, status: 0, error: { code: 'network', message: 'The server cannot be reached.' } });

/** The failure for a non-2xx answer: its `error` body when it has one, and `Retry-After` (seconds) as milliseconds. */
export function failureOf(status: number, body: unknown, retryAfter?: string | null): ApiResult<never> {
  const sent = (body as { error?: Partial<ApiError> } | undefined)?.error;
  const error: ApiError =
    typeof sent?.code === 'string'
      ? { code: sent.code, message: typeof sent.message === 'string' ? sent.message : '', ...(sent.fields ? { fields: sent.fields } : {}) }
      : { code: 'unexpected_response', message: `The server answered ${status}.` };
  const seconds = Number(retryAfter);
  return { ok: false, status, error, ...(seconds > 0 ? { retryAfterMs: seconds * 1000 } : {}) };
}

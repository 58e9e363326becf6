/** The agent API over fetch: same-origin cookie session, `X-CSRF-Token` on every state change. */
import { failureOf, networkFailure, type ApiResult } from '../shared/api-result.js';

export type { ApiResult };

let csrfToken = '';
let onUnauthorized: () => void = () => undefined;

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** The header every state change carries (an upload sets it itself: web/shared/upload.ts). */
export const csrfHeaders = (): Record<string, string> => ({ 'X-CSRF-Token': csrfToken });

/** An answer not read by `api` (an upload): a 401 ends the session the same way. */
export function sessionEndedIf401(status: number): void {
  if (status === 401) onUnauthorized();
}

/** Called on any 401 after login: the session ended (expired, logged out elsewhere, deactivated). */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown, options: { quiet401?: boolean } = {}): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    return networkFailure();
  }
  const text = await response.text().catch(() => '');
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (response.ok) return { ok: true, status: response.status, data: data as T };
  if (response.status === 401 && !options.quiet401) onUnauthorized();
  return failureOf(response.status, data, response.headers.get('Retry-After'));
}

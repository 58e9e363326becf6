/** The agent API over fetch: same-origin cookie session, `X-CSRF-Token` on every state change. */
export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; code: string; message: string; fields?: Record<string, string> };

let csrfToken = '';
let onUnauthorized: () => void = () => undefined;

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called on any 401 after login: the session ended (expired, logged out elsewhere, deactivated). */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export async function api<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown, options: { quiet401?: boolean } = {}): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    return { ok: false, status: 0, code: 'network', message: 'The server cannot be reached.' };
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
  const error = (data as { error?: { code?: string; message?: string; fields?: Record<string, string> } } | undefined)?.error;
  return { ok: false, status: response.status, code: error?.code ?? 'http_' + response.status, message: error?.message ?? response.statusText, fields: error?.fields };
}

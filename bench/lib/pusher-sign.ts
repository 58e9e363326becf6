import { createHash, createHmac } from 'node:crypto';

/** The Pusher credentials the bench configures on both servers. */
export interface AppCredentials {
  id: string;
  key: string;
  secret: string;
}

export const BENCH_APP: AppCredentials = { id: '424242', key: 'bench-key', secret: 'bench-secret-0123456789abcdef0123456789' };

/** Signs a Pusher HTTP API request as the `pusher` SDK does: the path with its signed query string. */
export function signedApiPath(app: AppCredentials, method: string, path: string, body: string): string {
  const params: Record<string, string> = {
    auth_key: app.key,
    auth_timestamp: String(Math.floor(Date.now() / 1000)),
    auth_version: '1.0',
    body_md5: createHash('md5').update(body).digest('hex'),
  };
  const query = Object.keys(params)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  const signature = createHmac('sha256', app.secret).update(`${method}\n${path}\n${query}`).digest('hex');
  return `${path}?${query}&auth_signature=${signature}`;
}

/** A private-channel subscription signature, what `/broadcasting/auth` would answer. */
export function channelAuth(app: Pick<AppCredentials, 'key' | 'secret'>, socketId: string, channel: string): string {
  return `${app.key}:${createHmac('sha256', app.secret).update(`${socketId}:${channel}`).digest('hex')}`;
}

/** Constant-time enough for a bench server: verifies what `signedApiPath` produced. */
export function verifyApiRequest(app: AppCredentials, method: string, url: URL, body: string): boolean {
  const given = url.searchParams.get('auth_signature');
  const entries = [...url.searchParams.entries()].filter(([k]) => k !== 'auth_signature').sort(([a], [b]) => (a < b ? -1 : 1));
  const query = entries.map(([k, v]) => `${k}=${v}`).join('&');
  const expected = createHmac('sha256', app.secret).update(`${method}\n${url.pathname}\n${query}`).digest('hex');
  return given === expected && url.searchParams.get('body_md5') === createHash('md5').update(body).digest('hex');
}

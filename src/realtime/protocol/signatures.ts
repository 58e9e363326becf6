import { createHash, createHmac } from 'node:crypto';
import { safeEqual } from '../../security/hashing.js';

/** HMAC-SHA256 hex, the signature every part of the Pusher protocol uses. */
export function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

/** `key:signature` for a private or presence channel subscription. */
export function channelAuth(key: string, secret: string, socketId: string, channel: string, channelData?: string): string {
  const text = channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
  return `${key}:${hmacHex(secret, text)}`;
}

/** `key:signature` for `pusher:signin` user authentication. */
export function userAuth(key: string, secret: string, socketId: string, userData: string): string {
  return `${key}:${hmacHex(secret, `${socketId}::user::${userData}`)}`;
}

/** Checks a `key:signature` string in constant time. */
export function verifyAuth(expected: string, given: string | undefined): boolean {
  return given !== undefined && safeEqual(expected, given);
}

export function md5Hex(body: string | Buffer): string {
  return createHash('md5').update(body).digest('hex');
}

export type HttpSignatureCheck =
  | { ok: true }
  | { ok: false; status: 401 | 400; message: string };

/**
 * Verifies a Pusher HTTP API request: `auth_key`, `auth_timestamp` within the window,
 * `auth_version=1.0`, `body_md5` for bodies, and `auth_signature` over
 * "METHOD\nPATH\nsorted query" (keys lower-cased, `auth_signature` left out), timing-safe.
 */
export function verifyHttpSignature(input: {
  method: string;
  path: string;
  query: Record<string, string>;
  body: string;
  key: string;
  secret: string;
  nowSeconds: number;
  windowSeconds?: number;
}): HttpSignatureCheck {
  const q = Object.fromEntries(Object.entries(input.query).map(([k, v]) => [k.toLowerCase(), v]));
  if (q.auth_key !== input.key) return { ok: false, status: 401, message: 'Unknown auth_key' };
  const timestamp = Number(q.auth_timestamp);
  if (!Number.isFinite(timestamp)) return { ok: false, status: 401, message: 'Missing or invalid auth_timestamp' };
  if (Math.abs(input.nowSeconds - timestamp) > (input.windowSeconds ?? 600)) {
    return { ok: false, status: 401, message: 'Timestamp expired: auth_timestamp is more than 600 seconds from the server time' };
  }
  if (q.auth_version !== undefined && q.auth_version !== '1.0') return { ok: false, status: 401, message: 'Unsupported auth_version' };
  if (input.body.length > 0 && q.body_md5 !== md5Hex(input.body)) return { ok: false, status: 401, message: 'body_md5 does not match the body' };
  const signature = httpSignature(input.secret, input.method, input.path, q);
  if (!verifyAuth(signature, q.auth_signature)) return { ok: false, status: 401, message: 'Invalid signature: check the app secret and how the string to sign is built' };
  return { ok: true };
}

/** The signature a Pusher server SDK computes for a request. */
export function httpSignature(secret: string, method: string, path: string, query: Record<string, string>): string {
  const sorted = Object.keys(query)
    .filter((k) => k !== 'auth_signature')
    .sort()
    .map((k) => `${k}=${query[k]}`)
    .join('&');
  return hmacHex(secret, `${method.toUpperCase()}\n${path}\n${sorted}`);
}

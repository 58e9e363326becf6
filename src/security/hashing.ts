import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Keyed hashing under APP_KEY: tokens, fingerprints and session ids are stored only as these. */
export interface Hasher {
  /** HMAC-SHA256 of `value` in a named domain, hex. Domains keep a token from matching a fingerprint. */
  hash(domain: string, value: string): string;
}

/** The hashing domain of the single-use links in follow-up emails (docs/email.md, "Follow-up links"). */
export const CONVERSATION_LINK = 'conversation-link';

export function createHasher(appKey: Buffer): Hasher {
  return {
    hash: (domain, value) => createHmac('sha256', appKey).update(domain).update('\0').update(value).digest('hex'),
  };
}

/** A fresh random secret: 256 bits, base64url. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Compares two secrets in constant time (for equal lengths; unequal lengths are simply unequal). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

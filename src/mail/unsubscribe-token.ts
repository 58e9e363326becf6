import { safeEqual, type Hasher } from '../security/hashing.js';
import { normalizeAddress } from '../storage/email-suppression-store.js';

const DOMAIN = 'email-unsubscribe';
const MAX_TOKEN_LENGTH = 2_000;

/**
 * Unsubscribe links (docs/email.md, "Unsubscribe"): the address and its HMAC under APP_KEY, so a
 * link works without a database lookup and cannot be forged for another address. They do not
 * expire: a link in an old email must still work.
 */
export class UnsubscribeTokens {
  constructor(
    private readonly hasher: Hasher,
    private readonly appUrl: string,
  ) {}

  sign(address: string): string {
    const email = normalizeAddress(address);
    return `${Buffer.from(email, 'utf8').toString('base64url')}.${this.hasher.hash(DOMAIN, email)}`;
  }

  /** The address a token was signed for, or undefined for anything else. */
  verify(token: string): string | undefined {
    if (token.length > MAX_TOKEN_LENGTH) return undefined;
    const [encoded, mac, extra] = token.split('.');
    if (encoded === undefined || mac === undefined || extra !== undefined || !/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined;
    const email = Buffer.from(encoded, 'base64url').toString('utf8');
    return safeEqual(mac, this.hasher.hash(DOMAIN, email)) ? email : undefined;
  }

  /** The page that confirms (GET) and records (POST, one-click) the unsubscription. */
  url(address: string): string {
    return `${this.appUrl}/email/unsubscribe?token=${encodeURIComponent(this.sign(address))}`;
  }

  /** RFC 2369 and RFC 8058 headers: mail clients show an "Unsubscribe" button that POSTs to the link. */
  headers(address: string): Record<string, string> {
    return { 'List-Unsubscribe': `<${this.url(address)}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
  }
}

import { safeEqual, type Hasher } from '../../security/hashing.js';
import type { Clock } from '../../time/clock.js';

/** The hashing domain of download URLs: a signature made for anything else never opens a file. */
export const ATTACHMENT_URL = 'attachment-url';

const HOUR_S = 3600;

/**
 * Signed download URLs (docs/api.md, "Attachments"): the HMAC of `id|expires` under APP_KEY is
 * the permission, so `<img src>` works without a cookie or token, and a URL is only ever handed to
 * the conversation's visitor and agents. `expires` is the end of the next whole hour: every URL of
 * a file is the same for an hour (browsers cache it), and each is valid for one to two hours.
 */
export class AttachmentUrls {
  constructor(
    private readonly hasher: Hasher,
    private readonly clock: Clock,
  ) {}

  /** `/api/files/{id}/{name}?expires={unix s}&sig={hex}`, relative to the server. */
  url(id: number, name: string): string {
    const expires = (Math.floor(this.clock.now() / 1000 / HOUR_S) + 2) * HOUR_S;
    return `/api/files/${id}/${encodeURIComponent(name)}?expires=${expires}&sig=${this.sign(id, expires)}`;
  }

  /** True when `sig` is this server's signature of `id` and `expires`, and `expires` is still ahead. */
  verify(id: number, expires: number, sig: string): boolean {
    if (!Number.isSafeInteger(id) || !Number.isSafeInteger(expires) || expires * 1000 <= this.clock.now()) return false;
    return safeEqual(sig, this.sign(id, expires));
  }

  /** Seconds until `expires`: how long a browser may cache the download. */
  secondsLeft(expires: number): number {
    return Math.max(0, expires - Math.floor(this.clock.now() / 1000));
  }

  private sign(id: number, expires: number): string {
    return this.hasher.hash(ATTACHMENT_URL, `${id}|${expires}`);
  }
}

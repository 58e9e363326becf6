import { createHash } from 'node:crypto';

/**
 * The account a login attempt counts against: the email as the login compares it (trimmed,
 * lower-cased), hashed so rate-limit keys (kept in Redis on several nodes) hold no addresses.
 * Undefined when the body has no email string (validation refuses it anyway).
 */
export function loginAccountKey(body: unknown): string | undefined {
  const email = (body as { email?: unknown } | null | undefined)?.email;
  if (typeof email !== 'string') return undefined;
  const normalised = email.trim().toLowerCase();
  if (normalised === '') return undefined;
  return createHash('sha256').update(normalised).digest('base64url');
}

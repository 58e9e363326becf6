import { jwtVerify, type JWTPayload } from 'jose';

/** The host site's user, as its signed identity token states it (docs/identity.md). */
export interface VerifiedIdentity {
  /** The host site's user id (`sub`): at most 255 characters. */
  id: string;
  name: string | undefined;
  email: string | undefined;
}

export interface IdentityKey {
  /** `CHAT_IDENTITY_SECRET`: the HMAC key shared with the host site. */
  secret: string;
  /** APP_URL's origin: a token that names an `aud` must name this one. */
  audience: string;
}

/** Clock skew allowed on `exp`, `nbf` and `iat`, in seconds. */
export const IDENTITY_LEEWAY_SECONDS = 60;
/** Longer tokens are refused before any work is done. */
const MAX_TOKEN_LENGTH = 4096;
const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

/**
 * Verifies an identity token: a JWT signed with HS256 (no other algorithm, `none` included) under
 * `key.secret`, with `exp` and `sub` required, `nbf` and `iat` honoured (60 s leeway), and `aud`,
 * when present, equal to APP_URL's origin. Answers the identity, or nothing for any token that
 * fails a check (never throws): the caller refuses it as `identity_invalid`.
 */
export async function verifyIdentityToken(token: unknown, key: IdentityKey | undefined, nowMs: number): Promise<VerifiedIdentity | undefined> {
  if (key === undefined || typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
  let payload: JWTPayload;
  try {
    const verified = await jwtVerify(token, new TextEncoder().encode(key.secret), {
      algorithms: ['HS256'],
      clockTolerance: IDENTITY_LEEWAY_SECONDS,
      currentDate: new Date(nowMs),
      requiredClaims: ['exp', 'sub'],
    });
    if (verified.protectedHeader.alg !== 'HS256') return undefined;
    payload = verified.payload;
  } catch {
    return undefined;
  }
  return claims(payload, key.audience, nowMs);
}

/** The checks jose leaves to the caller: `iat` not in the future, `aud` when present, and the shape of `sub`, `name`, `email`. */
function claims(payload: JWTPayload, audience: string, nowMs: number): VerifiedIdentity | undefined {
  const now = Math.floor(nowMs / 1000);
  if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) return undefined;
  if (payload.iat !== undefined && (typeof payload.iat !== 'number' || payload.iat > now + IDENTITY_LEEWAY_SECONDS)) return undefined;
  if (payload.aud !== undefined) {
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!audiences.some((a) => sameOrigin(a, audience))) return undefined;
  }
  const { sub } = payload;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255) return undefined;
  const name = optionalString(payload.name, 120);
  const email = optionalString(payload.email, 254);
  if (name === null || email === null || (email !== undefined && !EMAIL.test(email))) return undefined;
  return { id: sub, name, email };
}

/** Undefined when absent, the trimmed text when a non-empty string within `max`, null (refused) otherwise. */
function optionalString(value: unknown, max: number): string | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text.length === 0) return undefined;
  return text.length <= max ? text : null;
}

/** `aud` may be APP_URL itself or its origin (with or without a trailing slash). */
function sameOrigin(aud: unknown, origin: string): boolean {
  if (typeof aud !== 'string') return false;
  try {
    return new URL(aud).origin === origin;
  } catch {
    return false;
  }
}

import type { FastifyRequest } from 'fastify';
import type { Config } from '../config/config-types.js';
import { HttpFailure } from '../errors/http-failure.js';
import { verifyIdentityToken, type VerifiedIdentity } from '../security/identity-token.js';

export type IdentityKey = Config['chat']['identity'];

const INVALID = 'The identity token is invalid or expired; continue as an anonymous visitor, or sign a new token (docs/identity.md).';

/**
 * The verified visitor behind an identity token (docs/identity.md): nothing when none is sent;
 * `identity_invalid` (401) when one is sent but does not verify (bad signature, expired, wrong
 * algorithm or audience, or `CHAT_IDENTITY_SECRET` unset).
 */
export async function visitorIdentity(raw: unknown, key: IdentityKey, now = Date.now()): Promise<VerifiedIdentity | undefined> {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const identity = await verifyIdentityToken(raw, key, now);
  if (!identity) throw new HttpFailure('identity_invalid', INVALID);
  return identity;
}

/** The identity sent as `X-Parley-Identity` on visitor requests other than `start` and `lookup`. */
export async function identityHeader(request: FastifyRequest, key: IdentityKey): Promise<VerifiedIdentity | undefined> {
  return visitorIdentity(request.headers['x-parley-identity'], key);
}

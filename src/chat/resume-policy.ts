import type { ConversationRow } from '../storage/schema.js';

/** Rule 2/3: an open conversation active within the window resumes; closed or idle ones do not. */
export function isResumable(c: Pick<ConversationRow, 'status' | 'last_activity_at'>, now: number, windowMs: number): boolean {
  return c.status === 'open' && now - c.last_activity_at <= windowMs;
}

export type LookupDecision =
  | { match: 'device'; conversationId: number }
  | { match: 'network'; conversationId: number }
  | { match: 'none' };

/** Who asks for rules 5 and 6: the keyed fingerprint, the user agent and the request's `Origin` (none when absent or opaque). */
export interface LookupVisitor {
  fingerprintHash: string;
  userAgent: string;
  origin: string | undefined;
}

/**
 * Rules 4–6 for a visitor without a stored conversation (docs/api.md, "Session persistence", with its guards).
 * `candidates` are the open conversations from the visitor's IP active within the window, most
 * recent first.
 * - Only conversations started from the same `Origin` count, and a request without one matches
 *   nothing: the fingerprint is computed by public code, so another site open in the same browser
 *   computes the same one and must not obtain a token or a transcript.
 * - device (rule 6): exactly one conversation matches fingerprint, IP and user agent: resume with
 *   the transcript. Two or more exact matches (identical devices behind one NAT) are rule 5.
 * - network (rule 5): same IP only: offer to join the most recent, without the transcript (user
 *   agent ignored);
 * - none (rule 4): nothing from this IP and site; a fingerprint alone never opens a transcript.
 */
export function decideLookup(
  visitor: LookupVisitor,
  candidates: Pick<ConversationRow, 'id' | 'client_fingerprint' | 'user_agent' | 'origin'>[],
  byNetwork: 'ask' | 'off',
): LookupDecision {
  if (visitor.origin === undefined) return { match: 'none' };
  const sameSite = candidates.filter((c) => c.origin === visitor.origin);
  const exact = sameSite.filter((c) => c.client_fingerprint === visitor.fingerprintHash && c.user_agent === visitor.userAgent);
  if (exact.length === 1 && exact[0]) return { match: 'device', conversationId: exact[0].id };
  const newest = sameSite[0];
  if (newest && byNetwork === 'ask') return { match: 'network', conversationId: newest.id };
  return { match: 'none' };
}

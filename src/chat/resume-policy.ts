import type { ConversationRow } from '../storage/schema.js';

/** Rule 2/3: an open conversation active within the window resumes; closed or idle ones do not. */
export function isResumable(c: Pick<ConversationRow, 'status' | 'last_activity_at'>, now: number, windowMs: number): boolean {
  return c.status === 'open' && now - c.last_activity_at <= windowMs;
}

export type LookupDecision =
  | { match: 'device'; conversationId: number }
  | { match: 'network'; conversationId: number }
  | { match: 'none' };

/**
 * Rules 4–6 for a visitor without a stored conversation. `candidates` are the open
 * conversations from the visitor's IP active within the window, most recent first.
 * - device (rule 6): fingerprint, IP and user agent all equal: resume with the transcript;
 * - network (rule 5): same IP only: offer to join, without the transcript (user agent ignored);
 * - none (rule 4): nothing from this IP; a fingerprint alone never opens a transcript.
 */
export function decideLookup(
  visitor: { fingerprintHash: string; userAgent: string },
  candidates: Pick<ConversationRow, 'id' | 'client_fingerprint' | 'user_agent'>[],
  byNetwork: 'ask' | 'off',
): LookupDecision {
  const device = candidates.find((c) => c.client_fingerprint === visitor.fingerprintHash && c.user_agent === visitor.userAgent);
  if (device) return { match: 'device', conversationId: device.id };
  const newest = candidates[0];
  if (newest && byNetwork === 'ask') return { match: 'network', conversationId: newest.id };
  return { match: 'none' };
}

import type { NewConversation } from '../storage/schema.js';
import type { VerifiedIdentity } from '../security/identity-token.js';

/** What a new conversation is started with: the visitor's form, the page, and a verified identity if any. */
export interface NewConversationInput {
  name?: string | undefined;
  email?: string | undefined;
  pageUrl?: string | undefined;
  referrer?: string | undefined;
  identity?: VerifiedIdentity | undefined;
}

/**
 * The row of a new open conversation (rule 1). A verified visitor's name and email come from the
 * host site's token, before what the form says, and the user id makes the conversation theirs on
 * every device (docs/identity.md).
 */
export function newConversationRow(
  input: NewConversationInput,
  ctx: { ip: string; userAgent: string; origin: string | undefined },
  hashes: { token: string; fingerprint: string | null },
  now: number,
): NewConversation {
  const identity = input.identity;
  return {
    status: 'open',
    client_fingerprint: hashes.fingerprint,
    client_ip: ctx.ip,
    user_agent: ctx.userAgent,
    visitor_token_hash: hashes.token,
    visitor_name: identity?.name ?? input.name ?? null,
    visitor_email: identity?.email ?? input.email ?? null,
    page_url: input.pageUrl ?? null,
    referrer: input.referrer ?? null,
    assigned_agent_id: null,
    last_seq: 0,
    visitor_read_seq: 0,
    agent_read_seq: 0,
    created_at: now,
    last_activity_at: now,
    closed_at: null,
    origin: ctx.origin ?? null,
    visitor_user_id: identity?.id ?? null,
    identity_verified: identity ? 1 : 0,
  };
}

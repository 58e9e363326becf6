import { fail, ok, type Result } from '../errors/error-codes.js';
import { CONVERSATION_LINK, type Hasher } from '../security/hashing.js';
import type { ConversationLinkStore } from '../storage/conversation-link-store.js';
import type { Clock } from '../time/clock.js';
import type { ChatService, Session } from './chat-service.js';

/**
 * `POST /api/chat/link` (docs/api.md, "Links from follow-up emails"): the link in a follow-up
 * email opens its conversation once, on whatever device the visitor reads the email, with the
 * whole transcript. The token is the credential: 256 random bits, stored hashed, single-use,
 * expiring; an unknown, used or expired one is the same 404.
 */
export class EmailLinks {
  constructor(private readonly deps: { links: ConversationLinkStore; chat: Pick<ChatService, 'grant'>; hasher: Hasher; clock: Clock }) {}

  async redeem(token: string): Promise<Result<Session>> {
    const used = await this.deps.links.consume(this.deps.hasher.hash(CONVERSATION_LINK, token), this.deps.clock.now());
    if (used === undefined) return fail('not_found', 'This link is unknown, already used or expired.', { token: 'is unknown, used or expired' });
    return ok(await this.deps.chat.grant(used.conversation_id));
  }
}

import type { Logger } from 'pino';
import type { Broadcaster } from './broadcaster.js';
import { fail, ok, type Result } from '../errors/error-codes.js';
import { randomToken, type Hasher } from '../security/hashing.js';
import type { ConversationStore, NewAttachment } from '../storage/conversation-store.js';
import type { ConversationRow } from '../storage/schema.js';
import type { Clock } from '../time/clock.js';
import type { MessageDto, VisitorConversationDto } from './dto.js';
import type { ChatEvent } from './events.js';
import { quotaExceeded } from './attachments/quota.js';
import { decideLookup, isResumable } from './resume-policy.js';
import { newConversationRow, type NewConversationInput } from './new-conversation.js';
import type { VerifiedIdentity } from '../security/identity-token.js';
import type { Views } from './views.js';

/** Who is asking: the socket (or trusted proxy) IP, the user agent, the raw browser fingerprint and the page's `Origin`. */
export interface VisitorContext {
  ip: string;
  userAgent: string;
  fingerprint: string | undefined;
  /** A serialized `http(s)` origin from the `Origin` header; undefined without one (or `null`): rules 5 and 6 then never match. */
  origin: string | undefined;
}

/** A visitor's proven access to one conversation, from a bearer token. */
export interface VisitorAccess {
  conversation: ConversationRow;
  /** A rule-5 join sees messages from this seq on; everyone else from 1. */
  visibleFromSeq: number;
}

export interface StartInput extends NewConversationInput {
  message?: string | undefined;
  clientMessageId?: string | undefined;
  /** Rule 2 through `start`: the stored conversation and its token. */
  resume?: { conversationId: number; token: string } | undefined;
}

export interface Session {
  conversation: VisitorConversationDto;
  visitor_token: string;
  messages: MessageDto[];
}

export type LookupAnswer = ({ match: 'device' } & Session) | { match: 'network'; resume_ticket: string } | { match: 'none' };

export interface ChatMetrics {
  conversationStarted(): void;
  messageStored(sender: 'visitor' | 'agent' | 'system'): void;
}

export interface ChatOptions {
  resumeWindowMs: number;
  resumeByNetwork: 'ask' | 'off';
}

export interface ChatDeps {
  conversations: ConversationStore;
  views: Views;
  hasher: Hasher;
  clock: Clock;
  broadcaster: Broadcaster;
  logger: Logger;
  metrics: ChatMetrics;
  options: ChatOptions;
}

const TICKET_TTL_MS = 10 * 60_000;
const TRANSCRIPT_LIMIT = 1000;
export const JOIN_NOTE = 'The visitor continued this conversation from another device on the same network.';

const TOKEN = 'visitor-token';
const FINGERPRINT = 'fingerprint';
const TICKET = 'resume-ticket';
const TICKET_DERIVATION = 'resume-ticket-derivation';

/** The customer side of the chat: starting, resuming (docs/api.md, "Session persistence"), sending, reading. */
export class ChatService {
  constructor(private readonly deps: ChatDeps) {}

  /** Starts a conversation, or resumes one under rule 2 (stored token) or rule 6 (exact device match). */
  async start(input: StartInput, ctx: VisitorContext): Promise<Result<Session & { resumed: boolean }>> {
    const { conversations, hasher, clock } = this.deps;
    const now = clock.now();
    const resumedFrom = await this.findResumable(input, ctx, now);
    if (resumedFrom) {
      if (input.message !== undefined) {
        const sent = await this.send(resumedFrom.access, input.message, input.clientMessageId ?? null);
        if (!sent.ok) return sent;
      }
      const session = await this.session(resumedFrom.access.conversation.id, resumedFrom.token, resumedFrom.access.visibleFromSeq);
      return ok({ ...session, resumed: true });
    }

    const token = randomToken();
    const fingerprint = ctx.fingerprint === undefined ? null : hasher.hash(FINGERPRINT, ctx.fingerprint);
    const row = await conversations.create(newConversationRow(input, ctx, { token: hasher.hash(TOKEN, token), fingerprint }, now));
    this.deps.metrics.conversationStarted();
    await this.publish({ name: 'ConversationStarted', conversation: await this.deps.views.forAgent(row) });
    if (input.message !== undefined) {
      const sent = await this.send({ conversation: row, visibleFromSeq: 1 }, input.message, input.clientMessageId ?? null);
      if (!sent.ok) return sent;
    }
    const session = await this.session(row.id, token, 1);
    return ok({ ...session, resumed: false });
  }

  private async findResumable(input: StartInput, ctx: VisitorContext, now: number): Promise<{ access: VisitorAccess; token: string } | undefined> {
    const window = this.deps.options.resumeWindowMs;
    if (input.resume) {
      const access = await this.authorize(input.resume.conversationId, input.resume.token, input.identity);
      const own = input.identity === undefined || access?.conversation.visitor_user_id === input.identity.id;
      if (access && own && isResumable(access.conversation, now, window)) return { access, token: input.resume.token };
    }
    if (input.identity) return this.resumeUser(input.identity);
    if (ctx.fingerprint === undefined || ctx.origin === undefined) return undefined;
    const candidates = await this.deps.conversations.openFromIp(ctx.ip, ctx.origin, now - window);
    const decision = decideLookup({ fingerprintHash: this.deps.hasher.hash(FINGERPRINT, ctx.fingerprint), userAgent: ctx.userAgent, origin: ctx.origin }, candidates, 'off');
    if (decision.match !== 'device') return undefined;
    const conversation = candidates.find((c) => c.id === decision.conversationId) as ConversationRow;
    const token = await this.issueToken(conversation.id, 1);
    return { access: { conversation, visibleFromSeq: 1 }, token };
  }

  /** A verified user's newest open conversation in the window, any device, with a whole-transcript token (docs/identity.md). */
  async resumeUser(identity: VerifiedIdentity): Promise<{ access: VisitorAccess; token: string } | undefined> {
    const conversation = await this.deps.conversations.newestOpenForUser(identity.id, this.deps.clock.now() - this.deps.options.resumeWindowMs);
    return conversation && { access: { conversation, visibleFromSeq: 1 }, token: await this.issueToken(conversation.id, 1) };
  }

  /** `lookup` for a verified visitor: their newest open conversation, or none. */
  async lookupUser(identity: VerifiedIdentity): Promise<LookupAnswer> {
    const found = await this.resumeUser(identity);
    return found ? { match: 'device', ...(await this.session(found.access.conversation.id, found.token, 1)) } : { match: 'none' };
  }

  /** Rules 4–6 for a visitor with no stored conversation. */
  async lookup(fingerprint: string, ctx: VisitorContext): Promise<LookupAnswer> {
    const { conversations, hasher, clock, options } = this.deps;
    const now = clock.now();
    // Without an Origin (curl, a server, an opaque `null` origin) rules 5 and 6 never match.
    if (ctx.origin === undefined) return { match: 'none' };
    const fingerprintHash = hasher.hash(FINGERPRINT, fingerprint);
    const candidates = await conversations.openFromIp(ctx.ip, ctx.origin, now - options.resumeWindowMs);
    const decision = decideLookup({ fingerprintHash, userAgent: ctx.userAgent, origin: ctx.origin }, candidates, options.resumeByNetwork);
    switch (decision.match) {
      case 'device': {
        const token = await this.issueToken(decision.conversationId, 1);
        return { match: 'device', ...(await this.session(decision.conversationId, token, 1)) };
      }
      case 'network': {
        // A repeated lookup gets the ticket it already holds: tickets are reused, not multiplied.
        const live = await conversations.liveTicket(decision.conversationId, fingerprintHash, ctx.ip, now);
        if (live?.seed) return { match: 'network', resume_ticket: this.deriveTicket({ ...live, seed: live.seed }) };
        const holder = { conversation_id: decision.conversationId, fingerprint_hash: fingerprintHash, client_ip: ctx.ip, seed: randomToken(16) };
        const ticket = this.deriveTicket(holder);
        await conversations.insertTicket({ ...holder, ticket_hash: hasher.hash(TICKET, ticket), expires_at: now + TICKET_TTL_MS, used_at: null });
        return { match: 'network', resume_ticket: ticket };
      }
      case 'none':
        return { match: 'none' };
    }
  }

  /**
   * Rule 5: joins the conversation a ticket points at. The ticket is single-use, bound to the
   * device and network it was issued to, and the new device sees only messages from the join on.
   */
  async resume(ticket: string, fingerprint: string, ctx: VisitorContext): Promise<Result<Session>> {
    const { conversations, hasher, clock } = this.deps;
    const now = clock.now();
    const used = await conversations.consumeTicket(hasher.hash(TICKET, ticket), now);
    const target = used ? await conversations.get(used.conversation_id) : undefined;
    const sameSite = ctx.origin !== undefined && target?.origin === ctx.origin;
    if (!used || !sameSite || used.fingerprint_hash !== hasher.hash(FINGERPRINT, fingerprint) || used.client_ip !== ctx.ip) {
      return fail('not_found', 'This resume ticket is unknown, already used or expired.', { resume_ticket: 'is unknown, used or expired' });
    }
    const note = await conversations.append({
      conversationId: used.conversation_id,
      sender: 'system',
      agentId: null,
      body: JOIN_NOTE,
      clientMessageId: null,
      now,
      requireOpen: true,
    });
    if (note.kind === 'closed') return fail('conversation_closed', 'This conversation has been closed.');
    if (note.kind !== 'created') return fail('not_found', 'Conversation not found.');
    this.deps.metrics.messageStored('system');
    await this.publish({ name: 'MessageSent', conversationId: used.conversation_id, message: await this.deps.views.message(note.row) });
    const token = await this.issueToken(used.conversation_id, note.row.seq);
    return ok(await this.session(used.conversation_id, token, note.row.seq));
  }

  /** A new token that sees the whole transcript, and the session it opens (a follow-up email's link). */
  async grant(conversationId: number): Promise<Session> {
    return this.session(conversationId, await this.issueToken(conversationId, 1), 1);
  }

  /** What a bearer token opens, if anything; a verified visitor's conversation needs that user's identity too (docs/identity.md). */
  async authorize(conversationId: number, token: string, identity?: VerifiedIdentity): Promise<VisitorAccess | undefined> {
    const found = await this.deps.conversations.findByToken(conversationId, this.deps.hasher.hash(TOKEN, token));
    const owner = found?.conversation.visitor_user_id ?? null;
    return owner === null || owner === identity?.id ? found : undefined;
  }

  async status(access: VisitorAccess): Promise<{ id: number; status: 'open' | 'closed'; resumable: boolean; last_seq: number; last_activity_at: string; agent: VisitorConversationDto['agent'] }> {
    const c = await this.deps.views.forVisitor(access.conversation);
    const resumable = isResumable(access.conversation, this.deps.clock.now(), this.deps.options.resumeWindowMs);
    return { id: c.id, status: c.status, resumable, last_seq: c.last_seq, last_activity_at: c.last_activity_at, agent: c.agent };
  }

  async messages(access: VisitorAccess, after: number, limit: number): Promise<{ messages: MessageDto[]; last_seq: number }> {
    const rows = await this.deps.conversations.messages(access.conversation.id, { after, limit, fromSeq: access.visibleFromSeq });
    return { messages: await this.deps.views.messages(rows), last_seq: access.conversation.last_seq };
  }

  /**
   * A visitor message; the same `client_message_id` again answers the stored message
   * (`created: false`), unless that message lies before what this token may see.
   */
  async send(access: VisitorAccess, body: string, clientMessageId: string | null): Promise<Result<{ message: MessageDto; created: boolean }>> {
    return this.append(access.conversation.id, { sender: 'visitor', agentId: null, body, clientMessageId }, access.visibleFromSeq);
  }

  /**
   * Stores a visitor or agent message (with its files, whose bytes are already stored) and
   * publishes `MessageSent` once committed; `visibleFromSeq` bounds what a resend may answer.
   */
  async append(
    conversationId: number,
    m: { sender: 'visitor' | 'agent'; agentId: number | null; body: string; clientMessageId: string | null; attachments?: NewAttachment[]; quotaBytes?: number },
    visibleFromSeq = 1,
  ): Promise<Result<{ message: MessageDto; created: boolean }>> {
    const result = await this.deps.conversations.append({ conversationId, ...m, now: this.deps.clock.now(), requireOpen: true });
    switch (result.kind) {
      case 'missing':
        return fail('not_found', 'Conversation not found.');
      case 'closed':
        return fail('conversation_closed', 'This conversation has been closed; start a new one.');
      case 'over-quota':
        return quotaExceeded(m.quotaBytes ?? 0, result.used);
      case 'duplicate':
        // Client ids are unique per conversation, not per sender: a retry never answers someone
        // else's message, nor (rule 5) a message from before the join that this token may not see.
        if (result.row.sender !== m.sender || result.row.seq < visibleFromSeq) {
          return fail('validation_failed', 'client_message_id is already used by another message in this conversation.', {
            client_message_id: 'is already used by another message in this conversation',
          });
        }
        return ok({ message: await this.deps.views.message(result.row), created: false });
      case 'created': {
        this.deps.metrics.messageStored(m.sender);
        const message = await this.deps.views.message(result.row);
        await this.publish({ name: 'MessageSent', conversationId, message });
        return ok({ message, created: true });
      }
    }
  }

  async markRead(access: VisitorAccess, seq: number): Promise<void> {
    const marker = await this.deps.conversations.markRead(access.conversation.id, 'visitor_read_seq', seq);
    if (marker !== undefined) await this.publish({ name: 'MessagesRead', conversationId: access.conversation.id, reader: { type: 'visitor' }, seq: marker });
  }

  /** Publishes after the commit; a broadcaster failure is logged, never turned into a failed request. */
  async publish(event: ChatEvent): Promise<void> {
    try {
      await this.deps.broadcaster.publish(event);
    } catch (error) {
      this.deps.logger.error({ err: error, event: event.name }, 'broadcast failed; clients will catch up by polling');
    }
  }

  /**
   * The ticket of a stored holder row: HMAC under APP_KEY of the conversation, fingerprint hash,
   * IP and a random seed. Only its hash is stored, as before; keeping the seed lets a repeated
   * lookup answer the same ticket instead of adding a row. Reading the database alone does not
   * give a ticket (that needs APP_KEY too), and a ticket still works only for its fingerprint and IP.
   */
  private deriveTicket(t: { conversation_id: number; fingerprint_hash: string; client_ip: string; seed: string }): string {
    const mac = this.deps.hasher.hash(TICKET_DERIVATION, `${t.conversation_id}|${t.fingerprint_hash}|${t.client_ip}|${t.seed}`);
    return Buffer.from(mac, 'hex').toString('base64url');
  }

  private async issueToken(conversationId: number, visibleFromSeq: number): Promise<string> {
    const token = randomToken();
    await this.deps.conversations.addToken(conversationId, this.deps.hasher.hash(TOKEN, token), visibleFromSeq, this.deps.clock.now());
    return token;
  }

  private async session(conversationId: number, token: string, fromSeq: number): Promise<Session> {
    const row = (await this.deps.conversations.get(conversationId)) as ConversationRow;
    const messages = await this.deps.conversations.messages(conversationId, { after: 0, limit: TRANSCRIPT_LIMIT, fromSeq });
    return { conversation: await this.deps.views.forVisitor(row), visitor_token: token, messages: await this.deps.views.messages(messages) };
  }
}

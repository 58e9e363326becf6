import { fail, ok, type Result } from '../errors/error-codes.js';
import type { ConversationStore } from '../storage/conversation-store.js';
import type { VisitorAccess } from './chat-service.js';
import type { Views } from './views.js';

/** One message of a transcript as the email shows it: who, when, what. */
export interface TranscriptLine {
  sender: 'visitor' | 'agent' | 'system';
  /** The visitor's or agent's name; absent for system notes. */
  author?: string;
  /** Epoch ms. */
  sentAt: number;
  body: string;
  /** Files sent with the message: emails name them, they never link them (the URLs expire). */
  attachments?: { name: string; size: number }[];
}

/** Everything a transcript email needs, gathered by the chat (docs/email.md, "What is sent when"). */
export interface Transcript {
  to: string;
  conversationId: number;
  /** The page the conversation was started on, linked back to when stored. */
  pageUrl: string | null;
  lines: TranscriptLine[];
  /** Why it is sent: the visitor asked, or the conversation closed (`transcript_on_close`, once per closing). */
  reason: { kind: 'requested' } | { kind: 'closed'; closedAt: number };
}

/** The chat's port to outgoing email: implemented in src/mail, wired in src/compose. */
export interface TranscriptMailer {
  sendTranscript(transcript: Transcript): Promise<{ status: 'queued' | 'duplicate' | 'suppressed' }>;
}

const PAGE = 500;

/** The visitor's "email me the transcript" (docs/api.md, `POST /api/chat/{id}/transcript`). */
export class TranscriptService {
  constructor(private readonly deps: { conversations: ConversationStore; views: Views; mailer: TranscriptMailer }) {}

  /** Queues the messages this token may see, in order, to the conversation's email. */
  async request(access: VisitorAccess, reason: Transcript['reason'] = { kind: 'requested' }): Promise<Result<{ status: 'queued' | 'suppressed' }>> {
    const c = access.conversation;
    if (c.visitor_email === null || c.visitor_email === '') {
      return fail('no_email', 'This conversation has no email address to send the transcript to.');
    }
    const lines: TranscriptLine[] = [];
    for (let after = 0; ; ) {
      const rows = await this.deps.conversations.messages(c.id, { after, limit: PAGE, fromSeq: access.visibleFromSeq });
      for (const m of await this.deps.views.messages(rows)) {
        const author = m.sender === 'visitor' ? (c.visitor_name ?? 'You') : m.sender === 'agent' ? (m.author_name ?? 'Agent') : undefined;
        const files = m.attachments?.map((a) => ({ name: a.name, size: a.size }));
        lines.push({ sender: m.sender, ...(author !== undefined ? { author } : {}), sentAt: Date.parse(m.created_at), body: m.body, ...(files ? { attachments: files } : {}) });
      }
      if (rows.length < PAGE) break;
      after = rows.at(-1)?.seq ?? after;
    }
    const outcome = await this.deps.mailer.sendTranscript({ to: c.visitor_email, conversationId: c.id, pageUrl: c.page_url, lines, reason });
    return ok({ status: outcome.status === 'suppressed' ? 'suppressed' : 'queued' });
  }
}

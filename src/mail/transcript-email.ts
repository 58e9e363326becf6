import { withAttachments, type AttachedFile } from './attachment-lines.js';
import type { EmailBlock, EmailTemplate } from './email-template.js';
import type { EmailRequestOutcome, MailOutbox } from './mail-outbox.js';

/** What the transcript email shows: the messages in order, and the page to go back to. */
export interface TranscriptEmailData {
  to: string;
  conversationId: number;
  pageUrl: string | null;
  lines: { sender: 'visitor' | 'agent' | 'system'; author?: string; sentAt: number; body: string; attachments?: AttachedFile[] }[];
  /** The visitor asked (the default), or the conversation closed. */
  reason?: { kind: 'requested' } | { kind: 'closed'; closedAt: number };
}

/** "2026-12-03 13:40 UTC": one zone for every reader, since the email cannot know theirs. */
const when = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The `transcript` email (docs/email.md, "What is sent when"): every message with its author and time. */
export const transcriptEmail: EmailTemplate<TranscriptEmailData> = (data) => {
  const intro = data.reason?.kind === 'closed' ? 'Your conversation has been closed. Here is its transcript.' : 'Here is the transcript of your conversation, as you asked.';
  const blocks: EmailBlock[] = [{ kind: 'paragraph', text: intro }];
  for (const line of data.lines) {
    const text = withAttachments(line.body, line.attachments);
    blocks.push(line.author === undefined ? { kind: 'paragraph', text: `${when(line.sentAt)}: ${text}` } : { kind: 'quote', author: `${line.author}, ${when(line.sentAt)}`, text });
  }
  if (data.lines.length === 0) blocks.push({ kind: 'paragraph', text: 'No messages yet.' });
  if (data.pageUrl !== null) blocks.push({ kind: 'link', text: 'Back to the page you chatted on', url: data.pageUrl });
  return { subject: `Transcript of your conversation #${data.conversationId}`, blocks };
};

/** Queues transcript emails: the chat's `TranscriptMailer` port, wired in src/compose. */
export class TranscriptMail {
  constructor(private readonly outbox: Pick<MailOutbox, 'enqueue'>) {}

  async sendTranscript(data: TranscriptEmailData): Promise<EmailRequestOutcome> {
    // A closing is mailed once however often its event is seen; a visitor's requests are limited by rate instead.
    const closed = data.reason?.kind === 'closed' ? { dedupeKey: `transcript-closed:${data.conversationId}:${data.reason.closedAt}` } : {};
    return this.outbox.enqueue({ to: data.to, kind: 'transcript', draft: transcriptEmail(data), ...closed });
  }
}

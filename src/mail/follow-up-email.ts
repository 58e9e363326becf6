import { withAttachments, type AttachedFile } from './attachment-lines.js';
import type { EmailBlock, EmailTemplate } from './email-template.js';

/** One agent reply as the follow-up shows it. */
export interface FollowUpReply {
  author: string;
  /** Epoch ms. */
  sentAt: number;
  body: string;
  /** Files sent with the reply: named with their size, never linked (the links expire). */
  attachments?: AttachedFile[];
}

/** What the visitor's follow-up shows: the replies they have not read and the link back to the chat. */
export interface FollowUpEmailData {
  conversationId: number;
  visitorName: string | null;
  replies: FollowUpReply[];
  /** The page the conversation came from with `#parley-link=…`: opens the chat there once. */
  linkUrl: string;
  /** Epoch ms after which the link no longer opens the conversation. */
  linkExpiresAt: number;
}

const when = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * The `follow-up` email (docs/email.md, "What is sent when"): every reply the visitor has not read,
 * in order, and a single-use link that reopens the conversation in the widget.
 */
export const followUpEmail: EmailTemplate<FollowUpEmailData> = (data) => {
  const count = data.replies.length;
  const greeting = data.visitorName === null || data.visitorName === '' ? 'Hello,' : `Hello ${data.visitorName},`;
  const blocks: EmailBlock[] = [
    { kind: 'paragraph', text: greeting },
    { kind: 'paragraph', text: count === 1 ? 'We answered your message while you were away:' : `We answered your message while you were away (${count} replies):` },
  ];
  for (const reply of data.replies) blocks.push({ kind: 'quote', author: `${reply.author}, ${when(reply.sentAt)}`, text: withAttachments(reply.body, reply.attachments) });
  blocks.push({ kind: 'link', text: 'Continue the conversation', url: data.linkUrl });
  blocks.push({
    kind: 'paragraph',
    text: `The button opens this conversation in the chat on our site once, until ${day(data.linkExpiresAt)}. You can also simply reply in the chat there.`,
  });
  const first = data.replies[0];
  const subject = count === 1 && first ? `${first.author} replied to your message` : `${count} new replies to your message`;
  return { subject, blocks };
};

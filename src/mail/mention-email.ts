import type { EmailTemplate } from './email-template.js';

/** What an agent is told when a colleague's internal note names them: who, where, the note, and the link. */
export interface MentionEmailData {
  conversationId: number;
  /** The note's writer; null once their account is gone. */
  authorName: string | null;
  note: string;
  /** The conversation in the dashboard: `APP_URL/stratus/conversations/{id}`. */
  dashboardUrl: string;
}

/** The `mention` email to an agent (docs/email.md, "What is sent when"); the note's text is escaped by `renderEmail`. */
export const mentionEmail: EmailTemplate<MentionEmailData> = (data) => {
  const author = data.authorName ?? 'A colleague';
  return {
    subject: `${author} mentioned you in conversation #${data.conversationId}`,
    blocks: [
      { kind: 'paragraph', text: `${author} mentioned you in an internal note on conversation #${data.conversationId}. Only agents see notes.` },
      { kind: 'quote', author, text: data.note },
      { kind: 'link', text: 'Open the conversation', url: data.dashboardUrl },
    ],
  };
};

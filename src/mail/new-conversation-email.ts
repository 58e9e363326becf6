import type { EmailBlock, EmailTemplate } from './email-template.js';

/** What agents are told of a new conversation: who wrote, what, from which page, and where to answer. */
export interface NewConversationEmailData {
  conversationId: number;
  visitorName: string | null;
  visitorEmail: string | null;
  pageUrl: string | null;
  firstMessage: string;
  /** The conversation in the dashboard: `APP_URL/stratus/conversations/{id}`. */
  dashboardUrl: string;
}

const visitorOf = (data: NewConversationEmailData): string => {
  if (data.visitorName !== null && data.visitorEmail !== null) return `${data.visitorName} <${data.visitorEmail}>`;
  return data.visitorName ?? data.visitorEmail ?? 'A visitor';
};

/** The `new-conversation` email to agents (docs/email.md, "What is sent when"); visitor text is escaped by `renderEmail`. */
export const newConversationEmail: EmailTemplate<NewConversationEmailData> = (data) => {
  const visitor = visitorOf(data);
  const blocks: EmailBlock[] = [
    { kind: 'paragraph', text: `${visitor} started conversation #${data.conversationId}.` },
    { kind: 'quote', author: visitor, text: data.firstMessage },
  ];
  if (data.pageUrl !== null) blocks.push({ kind: 'paragraph', text: `Page: ${data.pageUrl}` });
  blocks.push({ kind: 'link', text: 'Answer in the dashboard', url: data.dashboardUrl });
  return { subject: `New conversation #${data.conversationId} from ${visitor}`, blocks };
};

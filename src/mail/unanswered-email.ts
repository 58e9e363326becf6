import type { EmailBlock, EmailTemplate } from './email-template.js';

/** What agents are told of a conversation nobody answered: who waits, since when, their last words. */
export interface UnansweredEmailData {
  conversationId: number;
  visitorName: string | null;
  visitorEmail: string | null;
  /** The newest unanswered visitor message. */
  lastMessage: string;
  /** How long the oldest unanswered message has waited, in whole minutes. */
  waitingMinutes: number;
  /** `APP_URL/stratus/conversations/{id}`. */
  dashboardUrl: string;
}

const visitorOf = (data: UnansweredEmailData): string => data.visitorName ?? data.visitorEmail ?? 'A visitor';

/** The `unanswered` email to the assignee, or to every agent when nobody is assigned (docs/email.md, "What is sent when"). */
export const unansweredEmail: EmailTemplate<UnansweredEmailData> = (data) => {
  const visitor = visitorOf(data);
  const waited = data.waitingMinutes === 1 ? '1 minute' : `${data.waitingMinutes} minutes`;
  const blocks: EmailBlock[] = [
    { kind: 'paragraph', text: `${visitor} has waited ${waited} for an answer in conversation #${data.conversationId}.` },
    { kind: 'quote', author: visitor, text: data.lastMessage },
    { kind: 'link', text: 'Answer in the dashboard', url: data.dashboardUrl },
  ];
  return { subject: `Waiting for an answer: conversation #${data.conversationId} from ${visitor}`, blocks };
};

/**
 * Which pane a dashboard address shows on a phone, where one pane fills the screen at a time
 * (docs/dashboard.md, "On a phone"): the inbox, an open conversation, or its visitor info.
 * DOM-free, so the router's rules are tested without a browser.
 */
export type PaneName = 'inbox' | 'conversation' | 'visitor';

export interface Pane {
  name: PaneName;
  /** The open conversation, or null in the inbox. */
  conversationId: number | null;
}

const CONVERSATION = /^\/stratus\/conversations\/(\d+)(\/visitor)?\/?$/;

/** The pane an address under /stratus shows; every other address is the inbox. */
export function paneOf(path: string): Pane {
  const match = CONVERSATION.exec(path);
  if (!match) return { name: 'inbox', conversationId: null };
  const id = Number(match[1]);
  if (!Number.isSafeInteger(id)) return { name: 'inbox', conversationId: null };
  return { name: match[2] ? 'visitor' : 'conversation', conversationId: id };
}

/** The address of a conversation's pane. */
export const conversationPath = (id: number): string => `/stratus/conversations/${id}`;

/** The address of a conversation's visitor info pane. */
export const visitorPath = (id: number): string => `${conversationPath(id)}/visitor`;

/** Where a pane's Back control leads: visitor info to its conversation, a conversation to the inbox. */
export function parentOf(pane: Pane): string {
  if (pane.name === 'visitor' && pane.conversationId !== null) return conversationPath(pane.conversationId);
  return '/stratus';
}

import type { Message } from './types.js';

/** Merges messages by `seq`: each seq once (the later copy wins), in seq order. */
export function mergeMessages(current: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return current as Message[];
  const bySeq = new Map<number, Message>();
  for (const m of current) bySeq.set(m.seq, m);
  for (const m of incoming) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The highest seq held, 0 for none: what `?after=` asks from. */
export function lastSeq(messages: readonly Message[]): number {
  return messages.reduce((max, m) => Math.max(max, m.seq), 0);
}

/** A reply waiting for the server's acknowledgement. */
export interface PendingReply {
  client_message_id: string;
  conversation_id: number;
  body: string;
  attempts: number;
  failed: boolean;
}

/** Pending replies the transcript does not hold yet (acknowledged ones drop out). */
export function unacknowledged(pending: readonly PendingReply[], messages: readonly Message[]): PendingReply[] {
  const known = new Set(messages.map((m) => m.client_message_id).filter((id): id is string => id !== undefined));
  return pending.filter((p) => !known.has(p.client_message_id));
}

export interface TextPart {
  text: string;
  href?: string;
}

/** Splits text into plain parts and http(s) links, for rendering as text nodes and <a> elements. */
export function linkParts(text: string): TextPart[] {
  const parts: TextPart[] = [];
  const pattern = /\bhttps?:\/\/[^\s<>"']+/gi;
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    const start = match.index ?? 0;
    let url = match[0];
    // Trailing punctuation usually ends the sentence, not the link.
    const trail = /[.,;:!?)\]]+$/.exec(url);
    if (trail) url = url.slice(0, -trail[0].length);
    if (start > at) parts.push({ text: text.slice(at, start) });
    parts.push({ text: url, href: url });
    at = start + url.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}

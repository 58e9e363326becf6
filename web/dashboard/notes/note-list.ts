/** Internal notes in the transcript (docs/dashboard.md, "Internal notes"): DOM-free, tested in test/dashboard-notes.test.ts. */
import type { Message, Note } from '../types.js';

/** Transcript order: after the message numbered `after_seq`, then by time, then by id. */
const order = (a: Note, b: Note): number => a.after_seq - b.after_seq || a.created_at.localeCompare(b.created_at) || a.id - b.id;

/** Merges by id (the later copy wins), in transcript order. */
export function mergeNotes(current: readonly Note[], incoming: readonly Note[]): Note[] {
  const byId = new Map<number, Note>();
  for (const n of current) byId.set(n.id, n);
  for (const n of incoming) byId.set(n.id, n);
  return [...byId.values()].sort(order);
}

export type TranscriptEntry = { kind: 'message'; message: Message } | { kind: 'note'; note: Note };

/**
 * Messages in seq order with each note after the message its `after_seq` names; a note written
 * before any message (or after a seq not held) goes where the seq would be.
 */
export function interleave(messages: readonly Message[], notes: readonly Note[]): TranscriptEntry[] {
  const sorted = [...notes].sort(order);
  const entries: TranscriptEntry[] = [];
  let next = 0;
  for (const message of messages) {
    while (next < sorted.length && (sorted[next] as Note).after_seq < message.seq) entries.push({ kind: 'note', note: sorted[next++] as Note });
    entries.push({ kind: 'message', message });
  }
  while (next < sorted.length) entries.push({ kind: 'note', note: sorted[next++] as Note });
  return entries;
}

/** A colleague's note that names this agent: worth a chime and a desktop notification. */
export const mentionsMe = (note: Note, agentId: number): boolean => note.agent_id !== agentId && note.mentions.includes(agentId);

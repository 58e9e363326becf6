import { describe, expect, it } from 'vitest';
import { interleave, mentionsMe, mergeNotes } from '../web/dashboard/notes/note-list.js';
import type { Message, Note } from '../web/dashboard/types.js';
import { findMentions } from '../src/chat/notes.js';

// Internal notes in the dashboard's transcript (docs/dashboard.md, "Internal notes"), and how a note names agents.

const message = (seq: number): Message => ({ id: seq, conversation_id: 1, seq, sender: 'visitor', body: `m${seq}`, created_at: '2026-12-01T10:00:00.000Z' });
const note = (id: number, after_seq: number, created_at = `2026-12-01T10:00:0${id}.000Z`, extra: Partial<Note> = {}): Note => ({
  id,
  conversation_id: 1,
  body: `n${id}`,
  author_name: 'Ann',
  agent_id: 1,
  after_seq,
  created_at,
  mentions: [],
  ...extra,
});
const shape = (entries: ReturnType<typeof interleave>) => entries.map((e) => (e.kind === 'note' ? e.note.body : e.message.body));

describe('notes among the messages', () => {
  it('puts each note after the message its after_seq names, notes of one seq by time', () => {
    const entries = interleave([message(1), message(2), message(3)], [note(3, 2, '2026-12-01T10:00:09.000Z'), note(1, 1), note(2, 2, '2026-12-01T10:00:05.000Z')]);
    expect(shape(entries)).toEqual(['m1', 'n1', 'm2', 'n2', 'n3', 'm3']);
  });

  it('puts a note written before any message first, and one after the last message last', () => {
    expect(shape(interleave([message(1)], [note(1, 0), note(2, 1)]))).toEqual(['n1', 'm1', 'n2']);
    expect(shape(interleave([], [note(1, 4)]))).toEqual(['n1']);
  });

  it('merges notes by id, the later copy winning, in transcript order', () => {
    const merged = mergeNotes([note(2, 3), note(1, 1)], [note(2, 3, undefined, { body: 'again' }), note(3, 2)]);
    expect(merged.map((n) => [n.id, n.body])).toEqual([
      [1, 'n1'],
      [3, 'n3'],
      [2, 'again'],
    ]);
  });

  it('notifies an agent a colleague names, never the author naming themselves', () => {
    expect(mentionsMe(note(1, 1, undefined, { agent_id: 1, mentions: [2] }), 2)).toBe(true);
    expect(mentionsMe(note(1, 1, undefined, { agent_id: 2, mentions: [2] }), 2)).toBe(false);
    expect(mentionsMe(note(1, 1, undefined, { agent_id: 1, mentions: [3] }), 2)).toBe(false);
  });
});

describe('@mentions', () => {
  const agents = [
    { id: 1, name: 'Ann' },
    { id: 2, name: 'Ann Lee' },
    { id: 3, name: 'Bo' },
    { id: 4, name: 'Zoë Ä' },
  ];
  it.each([
    ['@Ann please', [1]],
    ['@ann lee please', [2]],
    ['@ANN LEE, @bo', [2, 3]],
    ['@Bo. and again @Bo', [3]],
    ["@Bo's call", [3]],
    ['@Bob is nobody', []],
    ['ann@bo.example is an address', []],
    ['@zoë ä look', [4]],
    ['@ nobody', []],
    ['no mention at all', []],
  ])('%s → %j', (body, ids) => {
    expect(findMentions(body, agents)).toEqual(ids);
  });
});

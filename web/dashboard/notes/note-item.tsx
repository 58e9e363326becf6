import type { ComponentChildren } from 'preact';
import type { Note } from '../types.js';

interface Props {
  note: Note;
  /** The note's text, rendered as text (links as <a>) by the transcript. */
  children: ComponentChildren;
  time: string;
}

/** An internal note in the transcript: set apart from messages, and labelled so for screen readers. */
export function NoteItem({ note, children, time }: Props) {
  const author = note.author_name ?? 'A former agent';
  return (
    <div class="message note" role="note" aria-label={`Internal note by ${author}`} data-parley="note" data-note-id={String(note.id)} data-after-seq={String(note.after_seq)}>
      <span class="author">
        <span class="note-tag">Internal note</span> · {author}
      </span>
      <p class="text">{children}</p>
      <time class="at" dateTime={note.created_at}>{time}</time>
    </div>
  );
}

import { useLayoutEffect, useRef } from 'preact/hooks';
import { splitLinks } from '../shared/links.js';
import type { PendingReply } from './session/reply-outbox.js';
import { interleave } from './notes/note-list.js';
import { NoteItem } from './notes/note-item.js';
import { useFoundEntry } from './search/use-found-entry.js';
import type { Message, Note } from './types.js';
import { AttachmentList, PendingFile } from './attachments/attachment-list.js';
import { useStickToBottom } from './attachments/use-stick-to-bottom.js';

interface Props {
  visitorName: string;
  agentName: string;
  messages: Message[];
  /** Internal notes, shown among the messages (docs/dashboard.md, "Internal notes"). */
  notes?: Note[];
  pending: PendingReply[];
  loaded: boolean;
  visitorTyping: boolean;
  onRetry(clientMessageId: string): void;
}

/** Text as text nodes; http(s) links as <a>. Never HTML. */
function Body({ text }: { text: string }) {
  return (
    <>
      {splitLinks(text).map((part, i) =>
        part.kind === 'link' ? (
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer">{part.text}</a>
        ) : (
          part.text
        ),
      )}
    </>
  );
}

const clock = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** The transcript: server messages in seq order, then the agent's replies still on their way. */
export function TranscriptLog({ visitorName, agentName, messages, notes = [], pending, loaded, visitorTyping, onRetry }: Props) {
  const logRef = useRef<HTMLDivElement>(null);
  // A picture loading, or the preview strip of files appearing, keeps the newest message in view.
  const stick = useStickToBottom(logRef);
  // Keep the newest message in view.
  useLayoutEffect(() => {
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
  }, [messages.length, notes.length, pending.length, visitorTyping]);
  // Opened from a search result: the matched message, in view and marked (docs/dashboard.md, "Search").
  useFoundEntry(logRef, messages.length + notes.length);

  return (
    <div
      class="transcript"
      role="log"
      aria-label="Transcript"
      aria-live="polite"
      data-parley="transcript"
      ref={logRef}
      tabIndex={0}
      {...stick}
    >
      {messages.length === 0 && notes.length === 0 && pending.length === 0 && <p class="muted center">{loaded ? 'No messages yet.' : 'Loading…'}</p>}
      {interleave(messages, notes).map((entry) =>
        entry.kind === 'note' ? (
          <NoteItem key={`note-${entry.note.id}`} note={entry.note} time={clock(entry.note.created_at)}>
            <Body text={entry.note.body} />
          </NoteItem>
        ) : (
          <div key={entry.message.seq} class={`message ${entry.message.sender}`} data-parley="message" data-message-id={String(entry.message.id)} data-seq={String(entry.message.seq)} data-sender={entry.message.sender}>
            {entry.message.sender !== 'system' && <span class="author">{entry.message.sender === 'visitor' ? visitorName : (entry.message.author_name ?? 'Agent')}</span>}
            {entry.message.body !== '' && <p class="text"><Body text={entry.message.body} /></p>}
            <AttachmentList files={entry.message.attachments} />
            <time class="at" dateTime={entry.message.created_at}>{clock(entry.message.created_at)}</time>
          </div>
        ),
      )}
      {pending.map((p) => (
        <div key={p.client_message_id} class={`message agent pending${p.failed ? ' failed' : ''}`} data-parley="message" data-pending="true" data-sender="agent">
          <span class="author">{agentName}</span>
          {p.body !== '' && <p class="text"><Body text={p.body} /></p>}
          <PendingFile reply={p} />
          <span class="at">
            {p.failed ? (
              <>
                Not sent · <button type="button" class="link" onClick={() => onRetry(p.client_message_id)}>Retry</button>
              </>
            ) : (
              'Sending…'
            )}
          </span>
        </div>
      ))}
    </div>
  );
}

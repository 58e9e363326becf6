import { useLayoutEffect, useRef } from 'preact/hooks';
import { splitLinks } from '../shared/links.js';
import type { PendingReply } from './session/reply-outbox.js';
import type { Message } from './types.js';

interface Props {
  visitorName: string;
  agentName: string;
  messages: Message[];
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
export function TranscriptLog({ visitorName, agentName, messages, pending, loaded, visitorTyping, onRetry }: Props) {
  const logRef = useRef<HTMLDivElement>(null);
  // Keep the newest message in view.
  useLayoutEffect(() => {
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
  }, [messages.length, pending.length, visitorTyping]);

  return (
    <div class="transcript" role="log" aria-label="Transcript" aria-live="polite" data-parley="transcript" ref={logRef} tabIndex={0}>
      {messages.length === 0 && pending.length === 0 && <p class="muted center">{loaded ? 'No messages yet.' : 'Loading…'}</p>}
      {messages.map((m) => (
        <div key={m.seq} class={`message ${m.sender}`} data-parley="message" data-seq={String(m.seq)} data-sender={m.sender}>
          {m.sender !== 'system' && <span class="author">{m.sender === 'visitor' ? visitorName : (m.author_name ?? 'Agent')}</span>}
          <p class="text"><Body text={m.body} /></p>
          <time class="at" dateTime={m.created_at}>{clock(m.created_at)}</time>
        </div>
      ))}
      {pending.map((p) => (
        <div key={p.client_message_id} class={`message agent pending${p.failed ? ' failed' : ''}`} data-parley="message" data-pending="true" data-sender="agent">
          <span class="author">{agentName}</span>
          <p class="text"><Body text={p.body} /></p>
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

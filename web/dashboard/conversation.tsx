import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import type { Transcript } from './dashboard.js';
import { linkParts, unacknowledged, type PendingReply } from './messages.js';
import { loadDraft, loadOutbox, newClientMessageId, saveDraft, saveOutbox } from './outbox.js';
import type { AgentLink } from './realtime.js';
import type { Agent, Conversation, Message } from './types.js';
import { VisitorPanel } from './visitor-panel.js';

interface Props {
  agent: Agent;
  conversation: Conversation | undefined;
  selected: number | null;
  transcript: Transcript | null;
  visitorTyping: boolean;
  agentTyping: string;
  link: AgentLink | null;
  onConversation(c: Conversation): void;
  onMessage(m: Message): void;
}

const TYPING_THROTTLE_MS = 2000;
const TYPING_IDLE_MS = 3000;
const RETRY_MS = [1000, 2000, 5000, 10_000, 30_000];

/** Text as text nodes; http(s) links as <a>. Never HTML. */
function Body({ text }: { text: string }) {
  return (
    <>
      {linkParts(text).map((part, i) =>
        part.href ? (
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer">{part.text}</a>
        ) : (
          part.text
        ),
      )}
    </>
  );
}

const clock = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** The main column: the open conversation's transcript, composer and actions, and the visitor panel. */
export function ConversationView({ agent, conversation, selected, transcript, visitorTyping, agentTyping, link, onConversation, onMessage }: Props) {
  const [draft, setDraft] = useState(() => (selected === null ? '' : loadDraft(selected)));
  const [pending, setPending] = useState<PendingReply[]>(() => loadOutbox().filter((p) => p.conversation_id === selected));
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const logRef = useRef<HTMLDivElement>(null);
  const typingSent = useRef(0);
  const typingIdle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const retryTimers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const pendingRef = useRef(pending);
  pendingRef.current = pending;

  const persist = (next: PendingReply[]) => {
    const others = loadOutbox().filter((p) => p.conversation_id !== selected);
    saveOutbox([...others, ...next]);
    setPending(next);
  };

  const attempt = async (item: PendingReply) => {
    retryTimers.current.delete(item.client_message_id);
    const result = await api<{ message: Message }>('POST', `/api/agent/conversations/${item.conversation_id}/messages`, { body: item.body, client_message_id: item.client_message_id });
    if (result.ok) {
      onMessage(result.data.message);
      persist(pendingRef.current.filter((p) => p.client_message_id !== item.client_message_id));
      return;
    }
    const retryable = result.status === 0 || result.status >= 500 || result.status === 429 || result.status === 401;
    const updated = { ...item, attempts: item.attempts + 1, failed: !retryable };
    persist(pendingRef.current.map((p) => (p.client_message_id === item.client_message_id ? updated : p)));
    if (!retryable) {
      setError(result.code === 'conversation_closed' ? 'Not sent: the conversation is closed. Reopen it to reply.' : `Not sent: ${result.message}`);
      return;
    }
    if (result.status === 401) return; // Sent again after the next login, from the stored outbox.
    const delay = RETRY_MS[Math.min(updated.attempts - 1, RETRY_MS.length - 1)] ?? 30_000;
    retryTimers.current.set(item.client_message_id, setTimeout(() => void attempt(updated), delay));
  };

  // Replies left in the outbox (a reload, a new login) are sent again when the conversation opens.
  useEffect(() => {
    for (const item of pendingRef.current) if (!item.failed) void attempt(item);
    const timers = retryTimers.current;
    return () => {
      for (const timer of timers.values()) clearTimeout(timer);
      clearTimeout(typingIdle.current);
    };
  }, []);

  // Keep the newest message in view when the agent is at the bottom already.
  const messages = transcript?.messages ?? [];
  const shownPending = unacknowledged(pending, messages);
  useLayoutEffect(() => {
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
  }, [messages.length, shownPending.length, visitorTyping]);

  if (selected === null) {
    return (
      <main class="conversation empty-state" id="main">
        <p>Select a conversation from the inbox.</p>
      </main>
    );
  }
  if (!conversation) {
    return (
      <main class="conversation empty-state" id="main">
        <p>{transcript?.loaded ? 'This conversation does not exist.' : 'Loading…'}</p>
      </main>
    );
  }

  const whisper = (typing: boolean) => link?.whisperTyping({ typing, name: agent.name, from: 'agent' });

  const onInput = (value: string) => {
    setDraft(value);
    saveDraft(conversation.id, value);
    const now = Date.now();
    if (value && now - typingSent.current > TYPING_THROTTLE_MS) {
      typingSent.current = now;
      whisper(true);
    }
    clearTimeout(typingIdle.current);
    typingIdle.current = setTimeout(() => {
      typingSent.current = 0;
      whisper(false);
    }, TYPING_IDLE_MS);
  };

  const send = () => {
    const body = draft.trim();
    if (!body) return;
    setError('');
    const item: PendingReply = { client_message_id: newClientMessageId(), conversation_id: conversation.id, body, attempts: 0, failed: false };
    persist([...pendingRef.current, item]);
    setDraft('');
    saveDraft(conversation.id, '');
    clearTimeout(typingIdle.current);
    typingSent.current = 0;
    whisper(false);
    void attempt(item);
  };

  const act = async (path: string, body?: unknown) => {
    setBusy(true);
    const result = await api<{ conversation: Conversation }>('POST', `/api/agent/conversations/${conversation.id}/${path}`, body ?? {});
    setBusy(false);
    if (result.ok) onConversation(result.data.conversation);
    else setError(result.message);
  };

  const retry = (item: PendingReply) => {
    setError('');
    const again = { ...item, failed: false };
    persist(pendingRef.current.map((p) => (p.client_message_id === item.client_message_id ? again : p)));
    void attempt(again);
  };

  const mine = conversation.assigned_agent_id === agent.id;
  const closed = conversation.status === 'closed';
  const name = conversation.visitor_name || `Visitor #${conversation.id}`;

  return (
    <>
      <main class="conversation" id="main" aria-labelledby="conversation-title">
        <header class="conversation-head">
          <div>
            <h1 id="conversation-title">{name}</h1>
            <p class="muted">
              <span class={`status ${conversation.status}`} data-parley="conversation-status">{closed ? 'Closed' : 'Open'}</span>
              {' · '}
              {conversation.agent ? `Assigned to ${conversation.agent.name}` : 'Unassigned'}
            </p>
          </div>
          <div class="actions">
            {mine ? (
              <button type="button" disabled={busy} onClick={() => void act('assign', { agent_id: null })}>Unassign</button>
            ) : (
              <button type="button" disabled={busy} onClick={() => void act('assign', {})}>Assign to me</button>
            )}
            {closed ? (
              <button type="button" disabled={busy} onClick={() => void act('reopen')}>Reopen</button>
            ) : (
              <button type="button" disabled={busy} onClick={() => void act('close')}>Close</button>
            )}
          </div>
        </header>
        <div class="transcript" role="log" aria-label="Transcript" aria-live="polite" data-parley="transcript" ref={logRef} tabIndex={0}>
          {messages.length === 0 && shownPending.length === 0 && <p class="muted center">{transcript?.loaded ? 'No messages yet.' : 'Loading…'}</p>}
          {messages.map((m) => (
            <div key={m.seq} class={`message ${m.sender}`} data-parley="message" data-seq={String(m.seq)} data-sender={m.sender}>
              {m.sender !== 'system' && <span class="author">{m.sender === 'visitor' ? name : (m.author_name ?? 'Agent')}</span>}
              <p class="text"><Body text={m.body} /></p>
              <time class="at" dateTime={m.created_at}>{clock(m.created_at)}</time>
            </div>
          ))}
          {shownPending.map((p) => (
            <div key={p.client_message_id} class={`message agent pending${p.failed ? ' failed' : ''}`} data-parley="message" data-pending="true" data-sender="agent">
              <span class="author">{agent.name}</span>
              <p class="text"><Body text={p.body} /></p>
              <span class="at">
                {p.failed ? (
                  <>
                    Not sent · <button type="button" class="link" onClick={() => retry(p)}>Retry</button>
                  </>
                ) : (
                  'Sending…'
                )}
              </span>
            </div>
          ))}
        </div>
        <div class="typing-line" aria-live="polite">
          {visitorTyping && <span data-parley="typing">Visitor is typing…</span>}
          {agentTyping && <span data-parley="agent-typing">{agentTyping} is typing…</span>}
        </div>
        {error && <p class="error" role="alert">{error}</p>}
        <form
          class="composer"
          onSubmit={(e) => {
            e.preventDefault();
            send();
          }}
        >
          <textarea
            aria-label="Reply"
            data-parley="reply"
            rows={3}
            maxLength={5000}
            placeholder={closed ? 'Reopen the conversation to reply' : 'Write a reply… (Enter sends, Shift+Enter for a new line)'}
            value={draft}
            onInput={(e) => onInput(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                send();
              }
            }}
          />
          <button type="submit" class="primary" disabled={!draft.trim()}>Send</button>
        </form>
      </main>
      <VisitorPanel conversation={conversation} earlier={transcript?.earlier ?? []} />
    </>
  );
}

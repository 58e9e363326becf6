import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import { AccountPage } from './account-page.js';
import { AgentsPage } from './agents-page.js';
import { api } from './api.js';
import { ConversationView } from './conversation.js';
import { InboxList } from './inbox.js';
import { reduceInbox, totalUnread, visibleRows, type InboxFilter, type InboxState } from './inbox-state.js';
import { lastSeq, mergeMessages } from './messages.js';
import { askDesktopPermission, chime, desktopNotify, loadNotifySettings, saveNotifySettings, type NotifySettings } from './notify.js';
import { connectAgentLink, type AgentLink, type LinkState } from './realtime.js';
import { navigate, onLinkClick } from './router.js';
import type { Agent, ChatConfig, Conversation, Message, TypingData } from './types.js';

interface Props {
  agent: Agent;
  path: string;
  onLoggedOut(): void;
}

export interface Transcript {
  id: number;
  messages: Message[];
  earlier: Conversation[];
  loaded: boolean;
}

interface ConversationPage {
  conversation: Conversation;
  messages: Message[];
  earlier_conversations: Conversation[];
}

const CONVERSATION_POLL_MS = 3000;
const INBOX_POLL_MS = 10_000;

const selectedFrom = (path: string): number | null => {
  const match = /^\/stratus\/conversations\/(\d+)$/.exec(path);
  return match ? Number(match[1]) : null;
};

const visitorLabel = (c: Conversation | undefined, id: number) => c?.visitor_name || `Visitor #${id}`;

/** The logged-in dashboard: header, inbox, open conversation, admin page; owns the realtime link. */
export function Dashboard({ agent, path, onLoggedOut }: Props) {
  const selected = selectedFrom(path);
  const [inbox, dispatch] = useReducer(reduceInbox, new Map() as InboxState);
  const [filter, setFilter] = useState<InboxFilter>({ status: 'open', assigned: 'any' });
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [linkState, setLinkState] = useState<LinkState>('connecting');
  const [agentsSubscribed, setAgentsSubscribed] = useState(0);
  const handledSubscriptions = useRef(0);
  const [online, setOnline] = useState<string[]>([]);
  const [transcript, setTranscript] = useState<Transcript | null>(null);
  const [visitorTyping, setVisitorTyping] = useState(false);
  const [agentTyping, setAgentTyping] = useState('');
  const [notify, setNotify] = useState<NotifySettings>(loadNotifySettings);
  const [link, setLink] = useState<AgentLink | null>(null);

  // Handlers registered once with pusher-js read the latest values through refs.
  const live = useRef({ selected, transcript, notify, filter, inbox });
  live.current = { selected, transcript, notify, filter, inbox };

  const loadInbox = useCallback(async (cursor?: string) => {
    const f = live.current.filter;
    const query = (status: string, assigned: string, c?: string) =>
      `/api/agent/conversations?status=${status}&assigned=${assigned}&limit=100${c ? `&cursor=${encodeURIComponent(c)}` : ''}`;
    const wanted = [api<{ conversations: Conversation[]; next_cursor: string | null }>('GET', query(f.status, f.assigned, cursor))];
    // The tab title counts every open conversation, whatever the filter shows.
    if (!cursor && !(f.status === 'open' && f.assigned === 'any')) wanted.push(api('GET', query('open', 'any')));
    const [shown, all] = await Promise.all(wanted);
    if (shown?.ok) {
      dispatch({ type: 'loaded', conversations: shown.data.conversations, replace: false });
      setNextCursor(shown.data.next_cursor);
    }
    if (all?.ok) dispatch({ type: 'loaded', conversations: all.data.conversations, replace: false });
  }, []);

  /** Asks for the open conversation's messages after the last seq held, and merges them by seq. */
  const catchUp = useCallback(async (id: number) => {
    const held = live.current.transcript;
    const after = held && held.id === id ? lastSeq(held.messages) : 0;
    const result = await api<ConversationPage>('GET', `/api/agent/conversations/${id}?after=${after}&limit=1000`);
    if (!result.ok) {
      if (result.status === 404) setTranscript({ id, messages: [], earlier: [], loaded: true });
      return;
    }
    dispatch({ type: 'conversation', conversation: result.data.conversation });
    setTranscript((current) =>
      current && current.id === id
        ? { ...current, messages: mergeMessages(current.messages, result.data.messages), earlier: result.data.earlier_conversations, loaded: true }
        : { id, messages: mergeMessages([], result.data.messages), earlier: result.data.earlier_conversations, loaded: true },
    );
  }, []);

  const fetchConversation = useCallback(async (id: number) => {
    const result = await api<ConversationPage>('GET', `/api/agent/conversations/${id}?after=${Number.MAX_SAFE_INTEGER}&limit=1`);
    if (result.ok) dispatch({ type: 'conversation', conversation: result.data.conversation });
  }, []);

  const alert = useCallback((title: string, body: string, id: number) => {
    const { notify: settings, selected: open } = live.current;
    if (settings.sound) chime();
    if (settings.desktop && (document.hidden || open !== id)) desktopNotify(title, body, () => navigate(`/stratus/conversations/${id}`));
  }, []);

  // The realtime link: created once per dashboard, torn down on logout.
  useEffect(() => {
    let closed = false;
    let created: AgentLink | null = null;
    void api<ChatConfig>('GET', '/api/chat/config').then((result) => {
      if (closed) return;
      const config: ChatConfig = result.ok ? result.data : { broadcaster: null, key: null, wsHost: null, wsPort: null, wssPort: null, forceTLS: false, cluster: null };
      created = connectAgentLink(config, {
        started(conversation) {
          dispatch({ type: 'conversation', conversation });
          alert('New conversation', visitorLabel(conversation, conversation.id), conversation.id);
        },
        updated(conversation) {
          dispatch({ type: 'conversation', conversation });
        },
        message(message) {
          const { selected: open, transcript: held, inbox: known } = live.current;
          const viewing = open === message.conversation_id && document.visibilityState === 'visible';
          dispatch({ type: 'message', message, viewing });
          if (!known.has(message.conversation_id)) void fetchConversation(message.conversation_id);
          if (held && held.id === message.conversation_id) {
            setTranscript((current) => (current && current.id === message.conversation_id ? { ...current, messages: mergeMessages(current.messages, [message]) } : current));
            if (held.messages.length > 0 && message.seq > lastSeq(held.messages) + 1) void catchUp(message.conversation_id);
          }
          if (message.sender === 'visitor') {
            // eslint-disable-next-line no-console -- the seed's manual test looks for this line
            console.log('Agent received message:', message);
            if (open === message.conversation_id) setVisitorTyping(false);
            alert(`Message from ${visitorLabel(known.get(message.conversation_id), message.conversation_id)}`, message.body, message.conversation_id);
          }
        },
        read(data) {
          dispatch({ type: 'read', conversation_id: data.conversation_id, reader: data.reader, seq: data.seq });
        },
        state(state) {
          setLinkState(state);
        },
        presence(names) {
          setOnline(names);
        },
        subscribed() {
          setAgentsSubscribed((n) => n + 1);
        },
      });
      setLink(created);
    });
    return () => {
      closed = true;
      created?.disconnect();
    };
  }, [alert, catchUp, fetchConversation]);

  // Inbox: load on start and on filter change.
  useEffect(() => {
    void loadInbox();
  }, [filter, loadInbox]);

  // Open conversation: fetch, watch its channel for typing.
  useEffect(() => {
    setVisitorTyping(false);
    setAgentTyping('');
    if (selected === null) {
      setTranscript(null);
      link?.watch(null, { typing: () => undefined });
      return;
    }
    setTranscript((current) => (current && current.id === selected ? current : { id: selected, messages: [], earlier: [], loaded: false }));
    void catchUp(selected);
    let visitorTimer: ReturnType<typeof setTimeout> | undefined;
    let agentTimer: ReturnType<typeof setTimeout> | undefined;
    link?.watch(selected, {
      typing(data: TypingData) {
        if (data.from === 'agent') {
          if (data.name === agent.name) return;
          clearTimeout(agentTimer);
          setAgentTyping(data.typing ? (data.name ?? 'Another agent') : '');
          if (data.typing) agentTimer = setTimeout(() => setAgentTyping(''), 6000);
          return;
        }
        clearTimeout(visitorTimer);
        setVisitorTyping(data.typing !== false);
        if (data.typing !== false) visitorTimer = setTimeout(() => setVisitorTyping(false), 6000);
      },
    });
    return () => {
      clearTimeout(visitorTimer);
      clearTimeout(agentTimer);
    };
  }, [selected, link, catchUp, agent.name]);

  // Events broadcast between the first inbox load and the subscription were not heard: load again.
  useEffect(() => {
    if (agentsSubscribed === handledSubscriptions.current) return;
    handledSubscriptions.current = agentsSubscribed;
    void loadInbox();
    if (live.current.selected !== null) void catchUp(live.current.selected);
  }, [agentsSubscribed, loadInbox, catchUp]);

  // The browser knows it is offline before the WebSocket times out: show the banner at once.
  const [networkUp, setNetworkUp] = useState(navigator.onLine !== false);
  useEffect(() => {
    const up = () => setNetworkUp(true);
    const down = () => setNetworkUp(false);
    addEventListener('online', up);
    addEventListener('offline', down);
    return () => {
      removeEventListener('online', up);
      removeEventListener('offline', down);
    };
  }, []);
  const connected = linkState === 'connected' && networkUp;

  // Reconnect and focus: catch up. While not connected: poll.
  const wasConnected = useRef(true);
  useEffect(() => {
    if (connected && !wasConnected.current) {
      void loadInbox();
      if (live.current.selected !== null) void catchUp(live.current.selected);
    }
    wasConnected.current = connected;
    if (connected) return;
    const conversationTimer = setInterval(() => {
      if (live.current.selected !== null) void catchUp(live.current.selected);
    }, CONVERSATION_POLL_MS);
    const inboxTimer = setInterval(() => void loadInbox(), INBOX_POLL_MS);
    return () => {
      clearInterval(conversationTimer);
      clearInterval(inboxTimer);
    };
  }, [connected, loadInbox, catchUp]);

  useEffect(() => {
    const onFocus = () => {
      if (live.current.selected !== null) void catchUp(live.current.selected);
    };
    addEventListener('focus', onFocus);
    document.addEventListener('visibilitychange', onFocus);
    return () => {
      removeEventListener('focus', onFocus);
      document.removeEventListener('visibilitychange', onFocus);
    };
  }, [catchUp]);

  // Tab title: the unread count.
  const unread = totalUnread(inbox);
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Parley` : 'Parley';
  }, [unread]);

  // Read receipts: the open, visible conversation is read up to its last seq.
  const openConversation = selected === null ? undefined : inbox.get(selected);
  const heldSeq = transcript && transcript.id === selected ? lastSeq(transcript.messages) : 0;
  const [visible, setVisible] = useState(document.visibilityState === 'visible');
  useEffect(() => {
    const update = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  const readSent = useRef(new Map<number, number>());
  useEffect(() => {
    if (selected === null || !openConversation || !visible || heldSeq === 0) return;
    if (openConversation.agent_read_seq >= heldSeq && openConversation.unread_count === 0) return;
    if ((readSent.current.get(selected) ?? 0) >= heldSeq) return;
    readSent.current.set(selected, heldSeq);
    dispatch({ type: 'read', conversation_id: selected, reader: { type: 'agent' }, seq: heldSeq });
    void api('POST', `/api/agent/conversations/${selected}/read`, { seq: heldSeq });
  }, [selected, openConversation, visible, heldSeq]);

  const rows = useMemo(() => visibleRows(inbox, filter, agent.id), [inbox, filter, agent.id]);

  const changeNotify = async (next: NotifySettings) => {
    if (next.desktop && !notify.desktop) next = { ...next, desktop: await askDesktopPermission() };
    setNotify(next);
    saveNotifySettings(next);
  };

  const logout = async () => {
    await api('POST', '/api/agent/logout');
    link?.disconnect();
    onLoggedOut();
  };

  const onAgentsPage = path === '/stratus/agents';
  const onAccountPage = path === '/stratus/account';
  const onInbox = !onAgentsPage && !onAccountPage;

  return (
    <div class="shell">
      <a class="skip" href="#main">Skip to conversation</a>
      <header class="topbar">
        <a class="brand" href="/stratus" onClick={(e) => onLinkClick(e, '/stratus')}>Parley</a>
        <nav aria-label="Pages" class="pages">
          <a href="/stratus" aria-current={onInbox ? 'page' : undefined} onClick={(e) => onLinkClick(e, '/stratus')}>Inbox</a>
          {agent.role === 'admin' && (
            <a href="/stratus/agents" aria-current={onAgentsPage ? 'page' : undefined} onClick={(e) => onLinkClick(e, '/stratus/agents')}>Agents</a>
          )}
          <a href="/stratus/account" aria-current={onAccountPage ? 'page' : undefined} onClick={(e) => onLinkClick(e, '/stratus/account')}>Account</a>
        </nav>
        <p class="online" data-parley="agents-online" title={online.join(', ')}>
          <span class="dot" aria-hidden="true" />
          Agents online: {online.length}
          {online.length > 0 && <span class="names"> ({online.join(', ')})</span>}
        </p>
        <div class="toggles">
          <label><input type="checkbox" checked={notify.sound} onChange={(e) => void changeNotify({ ...notify, sound: e.currentTarget.checked })} /> Sound</label>
          <label><input type="checkbox" checked={notify.desktop} onChange={(e) => void changeNotify({ ...notify, desktop: e.currentTarget.checked })} /> Desktop notifications</label>
        </div>
        <span class="me">{agent.name}</span>
        <button type="button" class="ghost" onClick={() => void logout()}>Log out</button>
      </header>
      {!connected && (
        <div class="banner" data-parley="connection-banner" role="status">
          {linkState === 'polling' ? 'Live updates are off: checking for new messages every few seconds.' : 'Reconnecting…'}
        </div>
      )}
      {onAgentsPage ? (
        <AgentsPage self={agent} />
      ) : onAccountPage ? (
        <AccountPage
          self={agent}
          onLoggedOutEverywhere={() => {
            link?.disconnect();
            onLoggedOut();
          }}
        />
      ) : (
        <div class={selected === null ? 'columns' : 'columns has-selection'}>
          <InboxList
            rows={rows}
            filter={filter}
            onFilter={setFilter}
            selected={selected}
            canLoadMore={nextCursor !== null}
            onLoadMore={() => void loadInbox(nextCursor ?? undefined)}
          />
          <ConversationView
            key={selected ?? 'none'}
            agent={agent}
            conversation={openConversation}
            selected={selected}
            transcript={transcript && transcript.id === selected ? transcript : null}
            visitorTyping={visitorTyping}
            agentTyping={agentTyping}
            link={link}
            onConversation={(c) => dispatch({ type: 'conversation', conversation: c })}
            onMessage={(m) => {
              dispatch({ type: 'message', message: m, viewing: true });
              setTranscript((current) => (current && current.id === m.conversation_id ? { ...current, messages: mergeMessages(current.messages, [m]) } : current));
            }}
          />
        </div>
      )}
    </div>
  );
}

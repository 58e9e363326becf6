import type { InboxFilter, InboxState } from '../inbox-state.js';
import type { PendingReply } from './reply-outbox.js';
import type { NotifySettings } from '../notify-settings.js';
import type { LinkState } from './agent-link.js';
import type { AgentStatus, Conversation, Message, Note } from '../types.js';
import type { OnlineAgent } from './agent-roster.js';

/** The open conversation's messages (merged by seq) and the visitor's earlier conversations. */
export interface Transcript {
  id: number;
  messages: Message[];
  earlier: Conversation[];
  /** The server answered once: "No messages yet" rather than "Loading…". */
  loaded: boolean;
  /** Internal notes, in transcript order (docs/dashboard.md, "Internal notes"). */
  notes?: Note[];
}

/** Everything the dashboard's views show; each change is a new object (views compare by identity). */
export interface DashboardState {
  inbox: InboxState;
  filter: InboxFilter;
  nextCursor: string | null;
  link: LinkState;
  /** The browser's own online flag: it knows before the WebSocket times out. */
  networkUp: boolean;
  visible: boolean;
  agentsOnline: OnlineAgent[];
  /** The agent's own status, shown (and switched) in the top bar. */
  status: AgentStatus;
  /** Why the last status switch did not stick, or ''. */
  statusError: string;
  selected: number | null;
  transcript: Transcript | null;
  visitorTyping: boolean;
  /** The name of another agent typing in the open conversation, or ''. */
  agentTyping: string;
  draft: string;
  /** Replies of the open conversation the server has not acknowledged. */
  pending: PendingReply[];
  error: string;
  busy: boolean;
  notify: NotifySettings;
}

export const initialState = (notify: NotifySettings, page: { visible: boolean; online: boolean }, status: AgentStatus): DashboardState => ({
  inbox: new Map(),
  filter: { status: 'open', assigned: 'any' },
  nextCursor: null,
  link: 'connecting',
  networkUp: page.online,
  visible: page.visible,
  agentsOnline: [],
  status,
  statusError: '',
  selected: null,
  transcript: null,
  visitorTyping: false,
  agentTyping: '',
  draft: '',
  pending: [],
  error: '',
  busy: false,
  notify,
});

/** Live updates arrive: the WebSocket is up and the browser thinks it is online. */
export const isConnected = (state: DashboardState): boolean => state.link === 'connected' && state.networkUp;

/** The open conversation's row, once the inbox knows it. */
export const openConversation = (state: DashboardState): Conversation | undefined => (state.selected === null ? undefined : state.inbox.get(state.selected));

/** The transcript of the open conversation (never a previous one's). */
export const openTranscript = (state: DashboardState): Transcript | null => (state.transcript && state.transcript.id === state.selected ? state.transcript : null);

/** Holds a state (the session's, or a page's like the settings form) and tells subscribers about each change. */
export class StateStore<S extends object = DashboardState> {
  private listeners = new Set<(state: S) => void>();

  constructor(private current: S) {}

  get state(): S {
    return this.current;
  }

  update(change: Partial<S> | ((state: S) => Partial<S>)): void {
    const patch = typeof change === 'function' ? change(this.current) : change;
    this.current = { ...this.current, ...patch };
    for (const listener of [...this.listeners]) listener(this.current);
  }

  subscribe(listener: (state: S) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

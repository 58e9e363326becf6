import type { Clock } from '../../shared/clock.js';
import type { KeyValueStore } from '../../shared/key-value-store.js';
import { lastSeq } from '../../shared/transcript.js';
import type { AgentApi, ConversationAction } from '../agent-api.js';
import type { InboxFilter } from '../inbox-state.js';
import { loadNotifySettings, saveNotifySettings, type NotifySettings } from '../notify-settings.js';
import type { AgentLink, ConnectLink, LinkHandlers } from './agent-link.js';
import type { Agent, AgentStatus, ChatConfig, Conversation, Message } from '../types.js';
import { AgentRoster } from './agent-roster.js';
import { loadDraft, saveDraft } from './drafts.js';
import { mentionsMe } from '../notes/note-list.js';
import { previewText } from '../attachments/attachment-text.js';
import type { Notifier, PageSignals } from './page-signals.js';
import { Poller } from './poller.js';
import { readReceiptDue } from './read-receipts.js';
import { ReplyOutbox, type OutgoingFile } from './reply-outbox.js';
import { initialState, isConnected, StateStore, type DashboardState } from './session-state.js';
import { Sync } from './sync.js';
import { TypingIndicators, TypingWhispers } from './typing.js';

/** The world the session works in, injected so that tests drive it with fakes. */
export interface SessionDeps {
  agent: Agent;
  api: AgentApi;
  connect: ConnectLink;
  clock: Clock;
  /** sessionStorage: the reply outbox and drafts, kept across a session expiry and the new login. */
  tabStore: KeyValueStore;
  /** localStorage: the notification switches. */
  settingsStore: KeyValueStore;
  page: PageSignals;
  notifier: Notifier;
  navigate(path: string): void;
  newId(): string;
  /** Each visitor message heard live (the seed's manual test reads the console). */
  log?(line: string, message: Message): void;
}

/** `GET /api/chat/config` failed: no realtime server as far as we know, so poll. */
const NO_REALTIME: ChatConfig = { broadcaster: null, key: null, wsHost: null, wsPort: null, wssPort: null, forceTLS: false, cluster: null };

const visitorLabel = (c: Conversation | undefined, id: number) => c?.visitor_name || `Visitor #${id}`;

/**
 * The logged-in agent's dashboard without its views (docs/dashboard.md): the inbox and the open
 * transcript kept up to date (realtime, catch-up on every subscription and reconnect, polling
 * without a WebSocket), read receipts, the reply outbox, typing, and notifications.
 */
export class DashboardSession {
  private readonly store: StateStore;
  private readonly sync: Sync;
  private readonly poller: Poller;
  private readonly replies: ReplyOutbox;
  private readonly indicators: TypingIndicators;
  private readonly whispers: TypingWhispers;
  private readonly roster: AgentRoster;
  private readonly readSent = new Map<number, number>();
  /** The latest status switch: an older one's late answer must not undo it. */
  private statusRequest = 0;
  private link: AgentLink | null = null;
  private stopped = false;
  private unlisten: () => void = () => undefined;

  constructor(private readonly deps: SessionDeps) {
    const page = { visible: deps.page.visible(), online: deps.page.online() };
    this.store = new StateStore(initialState(loadNotifySettings(deps.settingsStore), page, deps.agent.status));
    this.roster = new AgentRoster(deps.agent.id, deps.agent.status, (change) => this.store.update(change));
    this.sync = new Sync(this.store, deps.api);
    this.poller = new Poller({ clock: deps.clock, conversation: () => this.sync.catchUpOpen(), inbox: () => void this.sync.loadInbox() });
    this.replies = new ReplyOutbox({
      store: deps.tabStore,
      clock: deps.clock,
      api: deps.api,
      newId: deps.newId,
      acknowledged: (message) => {
        this.sync.dispatch({ type: 'message', message, viewing: true });
        this.sync.addToTranscript(message);
      },
      refused: (reply, why) => {
        if (reply.conversation_id === this.state.selected) this.store.update({ error: why });
      },
      changed: () => this.store.update((s) => ({ pending: this.replies.pendingFor(s.selected) })),
    });
    this.indicators = new TypingIndicators(deps.clock, deps.agent.name, (change) => this.store.update(change));
    this.whispers = new TypingWhispers(deps.clock, (data) => this.link?.whisperTyping(data), deps.agent.name);
    this.store.subscribe((state) => this.react(state));
  }

  get state(): DashboardState {
    return this.store.state;
  }

  /** Calls `listener` after every change; returns the function that stops it. */
  subscribe(listener: (state: DashboardState) => void): () => void {
    return this.store.subscribe(listener);
  }

  /** Loads the inbox, connects, and sends replies left from before (a reload, a new login). */
  start(): void {
    this.unlisten = this.deps.page.listen({
      visibility: (visible) => {
        this.store.update({ visible });
        this.sync.catchUpOpen();
      },
      focus: () => this.sync.catchUpOpen(),
      network: (up) => this.store.update({ networkUp: up }),
    });
    this.poller.update(isConnected(this.state));
    this.replies.kick();
    void this.sync.loadInbox();
    this.loadStatuses();
    void this.deps.api.chatConfig().then((result) => {
      if (this.stopped) return;
      this.link = this.deps.connect(result.ok ? result.data : NO_REALTIME, this.linkHandlers());
      this.link.watch(this.state.selected);
    });
  }

  /** The dashboard goes away (logout, session ended): the link closes and every timer stops. */
  stop(): void {
    this.stopped = true;
    this.unlisten();
    this.link?.disconnect();
    this.poller.stop();
    this.replies.stop();
    this.whispers.cancel();
  }

  /** Opens a conversation (its id from the address), or none. */
  open(id: number | null): void {
    if (id === this.state.selected) return;
    this.indicators.reset();
    this.whispers.cancel();
    this.store.update(({ transcript }) => ({
      selected: id,
      transcript: id === null ? null : transcript && transcript.id === id ? transcript : { id, messages: [], earlier: [], loaded: false },
      draft: id === null ? '' : loadDraft(this.deps.tabStore, id),
      pending: this.replies.pendingFor(id),
      error: '',
      busy: false,
    }));
    this.link?.watch(id);
    if (id !== null) void this.sync.catchUp(id);
  }

  setFilter(filter: InboxFilter): void {
    this.store.update({ filter });
    void this.sync.loadInbox();
  }

  loadMore(): void {
    void this.sync.loadInbox(this.state.nextCursor ?? undefined);
  }

  /** The reply box changed: kept as a draft, and the visitor sees "Agent is typing…" (never while writing a note). */
  input(value: string, note = false): void {
    const id = this.state.selected;
    if (id === null) return;
    this.store.update({ draft: value });
    saveDraft(this.deps.tabStore, id, value);
    if (!note) this.whispers.input(value);
  }

  /** Saves the draft as an internal note (docs/dashboard.md, "Internal notes"); a refused note goes back in the box. */
  async sendNote(): Promise<void> {
    const id = this.state.selected;
    const body = this.state.draft.trim();
    if (id === null || !body || !this.deps.api.addNote) return;
    this.input('', true);
    this.store.update({ error: '' });
    const result = await this.deps.api.addNote(id, body, this.deps.newId());
    if (result.ok) return this.sync.addNote(result.data.note);
    if (this.state.selected === id && this.state.draft === '') this.input(body, true);
    this.store.update({ error: `The note was not saved: ${result.error.message}` });
  }

  /** Queues the draft as a reply, with any files (one message each); it shows as "Sending…" until the server has it. */
  send(files: readonly OutgoingFile[] = []): void {
    const id = this.state.selected;
    const body = this.state.draft.trim();
    if (id === null || (!body && files.length === 0)) return;
    this.store.update({ error: '', draft: '' });
    saveDraft(this.deps.tabStore, id, '');
    this.whispers.stopped();
    this.replies.send(id, body, files);
  }

  retry(clientMessageId: string): void {
    this.store.update({ error: '' });
    this.replies.retry(clientMessageId);
  }

  /** Assign, unassign, close or reopen the open conversation. */
  async act(action: ConversationAction): Promise<void> {
    const id = this.state.selected;
    if (id === null) return;
    this.store.update({ busy: true });
    const result = await this.deps.api.act(id, action);
    this.store.update({ busy: false });
    if (result.ok) this.sync.dispatch({ type: 'conversation', conversation: result.data.conversation });
    else this.store.update({ error: result.error.message });
  }

  /** Switches sound or desktop notifications; desktop ones need the browser's permission first. */
  async setNotify(next: NotifySettings): Promise<void> {
    const settings = next.desktop && !this.state.notify.desktop ? { ...next, desktop: await this.deps.notifier.askDesktopPermission() } : next;
    this.store.update({ notify: settings });
    saveNotifySettings(this.deps.settingsStore, settings);
  }

  /** Switches the agent between online and away: shown at once, put back if the server refuses. */
  async setStatus(status: AgentStatus): Promise<void> {
    const before = this.roster.own;
    if (status === before) return;
    const request = (this.statusRequest += 1);
    this.store.update({ statusError: '' });
    this.roster.set(this.deps.agent.id, status);
    const result = await this.deps.api.setStatus(status);
    if (request !== this.statusRequest) return;
    if (result.ok) return this.roster.set(this.deps.agent.id, result.data.agent.status);
    this.roster.set(this.deps.agent.id, before);
    this.store.update({ statusError: `Your status is still ${before}: ${result.error.message}` });
  }

  async logout(): Promise<void> {
    await this.deps.api.logout();
    this.stop();
  }

  private linkHandlers(): LinkHandlers {
    return {
      agents: {
        ConversationStarted: ({ conversation }) => {
          this.sync.dispatch({ type: 'conversation', conversation });
          this.alert('New conversation', visitorLabel(conversation, conversation.id), conversation.id);
        },
        ConversationUpdated: ({ conversation }) => this.sync.dispatch({ type: 'conversation', conversation }),
        MessageSent: ({ message }) => this.heard(message),
        MessagesRead: ({ conversation_id, reader, seq }) => this.sync.dispatch({ type: 'read', conversation_id, reader, seq }),
        AgentStatusChanged: ({ agent_id, status }) => this.roster.set(agent_id, status),
        NoteAdded: ({ note }) => {
          this.sync.addNote(note);
          if (mentionsMe(note, this.deps.agent.id)) this.alert(`${note.author_name ?? 'A colleague'} mentioned you`, note.body, note.conversation_id);
        },
      },
      state: (link) => this.store.update({ link }),
      presence: (members) => this.roster.present(members),
      // Events broadcast between the first inbox load and the subscription were not heard: load again.
      subscribed: () => {
        void this.sync.loadInbox();
        this.loadStatuses();
        this.sync.catchUpOpen();
      },
      typing: (data) => this.indicators.seen(data),
    };
  }

  /**
   * The presence roster's `user_info` is as old as each agent's subscription: every dashboard asks
   * for the team's statuses instead, at start and on each subscription (docs/dashboard.md, "Your status").
   */
  private loadStatuses(): void {
    void this.deps.api.team().then((result) => {
      if (result.ok && !this.stopped) this.roster.seed(result.data.agents);
    });
  }

  private heard(message: Message): void {
    const { selected, transcript: held, inbox: known } = this.state;
    const id = message.conversation_id;
    this.sync.dispatch({ type: 'message', message, viewing: selected === id && this.deps.page.visible() });
    if (!known.has(id)) void this.sync.fetchConversation(id);
    if (held && held.id === id) {
      // A seq skipped: something was missed on the way; ask for it after the seq held before this one.
      if (held.messages.length > 0 && message.seq > lastSeq(held.messages) + 1) void this.sync.catchUp(id);
      this.sync.addToTranscript(message);
    }
    if (message.sender !== 'visitor') return;
    this.deps.log?.('Agent received message:', message);
    if (selected === id) this.store.update({ visitorTyping: false });
    this.alert(`Message from ${visitorLabel(known.get(id), id)}`, previewText(message), id);
  }

  private alert(title: string, body: string, id: number): void {
    const { notify, selected } = this.state;
    if (notify.sound) this.deps.notifier.chime();
    if (notify.desktop && (!this.deps.page.visible() || selected !== id)) this.deps.notifier.desktop(title, body, () => this.deps.navigate(`/stratus/conversations/${id}`));
  }

  /** After every change: poll or stop polling, and send the read receipt the state calls for. */
  private react(state: DashboardState): void {
    if (this.stopped) return;
    this.poller.update(isConnected(state));
    const receipt = readReceiptDue(state, this.readSent);
    if (!receipt) return;
    this.readSent.set(receipt.id, receipt.seq);
    this.sync.dispatch({ type: 'read', conversation_id: receipt.id, reader: { type: 'agent', id: this.deps.agent.id, name: this.deps.agent.name }, seq: receipt.seq });
    void this.deps.api.markRead(receipt.id, receipt.seq);
  }
}

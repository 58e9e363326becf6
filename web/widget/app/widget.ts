import type { AppHandle, Boot, WidgetOptions } from '../shared.js';
import { ChatApi } from './api.js';
import { VisitorIdentity } from './visitor-identity.js';
import { Attachments } from './attach.js';
import type { Clock } from '../../shared/clock.js';
import { Delivery } from '../../shared/delivery.js';
import { followLink } from './email-link.js';
import { DeviceIdentity } from './fingerprint.js';
import { createLog } from './log.js';
import { connectEcho, connectPusher, type ConversationEvents, type EchoLike, type LinkEvents, type RealtimeLink } from './realtime.js';
import { ChatSession } from './session.js';
import { newId } from './ids.js';
import { availabilityChanged, availabilityOf, awayNotice, hidesLauncher, needsEmail, type Availability } from './offline.js';
import { PanelMemory } from './panel-memory.js';
import { Retries } from '../../shared/retries.js';
import { beep } from './sound.js';
import { SafeStore } from './storage.js';
import { mergeStrings } from './strings.js';
import type { ServerConfig } from './types.js';
import { ChatView, type Connection } from './view.js';
import { markSeen, unreadCount, viewMessages } from './view-messages.js';

const [STATUS_EVERY_MS, TYPING_SHOWN_MS] = [15_000, 5000];

/** Wires the panel, the session, realtime and the page's events together; answers the loader's handle. */
export function mountWidget(boot: Boot, clock: Clock): AppHandle {
  const { win } = boot;
  const doc = win.document;
  let options = boot.options;
  let log = createLog(options.debug);
  const strings = mergeStrings(options.strings);
  const store = new SafeStore(() => win.localStorage);
  const memory = new PanelMemory(new SafeStore(() => win.sessionStorage));

  let panelOpen = false;
  let agentsOnline = 0;
  let availability: Availability | undefined = boot.config && availabilityOf(boot.config);
  /** The header's name: the assigned agent, else the last agent who wrote. */
  let assignedAgent: string | undefined;
  let lastAuthor: string | undefined;
  let [agentReadSeq, reachable] = [0, true];
  let link: RealtimeLink | undefined;
  let config: ServerConfig | undefined;
  let active: number | undefined;
  let [lastWhisper, lastStatusCheck, lastStatus] = [0, clock.now(), ''];
  let typingTimer: unknown;
  const retries = new Retries(clock);

  const device = new DeviceIdentity(win, store);
  const identity = new VisitorIdentity(store, options.identity, () => session.startOver());
  const api = new ChatApi(options.server, { fetch: win.fetch.bind(win), fingerprint: () => device.value, token: () => session.token, identity: () => identity.token, identityRefused: () => identity.drop() });
  const view = new ChatView(boot, strings, {
    send(text) {
      if (session.state === 'closed') return false;
      const contact = session.conversationId === undefined ? view.contact(needsEmail(availability, false), options.prechat) : {};
      if (!contact) return false;
      if (!attach.sendStaged(text, contact)) session.write(text, contact);
      memory.draft = '';
      link?.whisperTyping({ typing: false, from: 'visitor' });
      lastWhisper = 0;
      return true;
    },
    close: () => close(),
    typing() {
      // Throttled: one whisper a second at most, well under the server's client-event limit.
      if (!link || session.conversationId === undefined || clock.now() - lastWhisper < 1000) return;
      lastWhisper = clock.now();
      link.whisperTyping({ typing: true, from: 'visitor' });
    },
    draft: (text) => (memory.draft = text),
    answerPrompt: (accept) => void session.answerPrompt(accept).then(() => view.focusComposer()),
    newConversation() {
      session.startOver();
      view.focusComposer();
    },
    emailTranscript: () => api.transcript(session.conversationId ?? 0),
    rate: (score, comment) => api.rate(session.conversationId ?? 0, score, comment),
  });

  const attach = new Attachments(boot, view, strings, { limits: () => config?.attachments, session: () => session, fingerprint: () => device.value, newId: () => newId(win), changed: () => render() });
  const session: ChatSession = new ChatSession({
    api,
    store,
    clock,
    get log() {
      return log;
    },
    fingerprint: () => device.ensure(),
    newId: () => newId(win),
    page: { url: win.location.href, referrer: doc.referrer },
    files: attach.files,
    hooks: {
      changed: (stick) => render(stick),
      received(messages, live) {
        for (const message of messages) {
          boot.emit('message', message);
          if (message.sender === 'agent' && message.author_name) lastAuthor = message.author_name;
          if (!live || message.sender !== 'agent') continue;
          showTyping(false);
          if (options.sound) beep(win);
        }
      },
      conversation(id) {
        active = id;
        agentReadSeq = 0;
        lastAuthor = undefined;
        if (!link) return;
        if (id === undefined) link.unsubscribe();
        else link.subscribe(id, conversationEvents(id));
      },
      agent: (name) => (assignedAgent = name),
      reachable: (ok) => setReachable(ok),
    },
  });

  const delivery = new Delivery({
    clock,
    catchUp() {
      void session.catchUp();
      // Polling has no ConversationUpdated event: ask for the status now and then instead.
      if (delivery.transport === 'polling' && session.state === 'open' && clock.now() - lastStatusCheck > STATUS_EVERY_MS) {
        lastStatusCheck = clock.now();
        const id = session.conversationId;
        if (id !== undefined) void api.status(id).then((res) => res.ok && res.data.status === 'closed' && session.updated({ ...res.data }));
      }
    },
    onTransport(transport) {
      boot.host.setAttribute('data-transport', transport);
      log.debug('transport', transport);
      render();
    },
  });

  function conversationEvents(id: number): ConversationEvents {
    return {
      message: (message) => message.conversation_id === id && session.receive([message], false),
      read(seq, reader) {
        if (reader.type !== 'agent' || seq <= agentReadSeq) return;
        agentReadSeq = seq;
        render();
      },
      conversation: (conversation) => session.updated(conversation),
      typing: (data) => data.from !== 'visitor' && showTyping(data.typing !== false),
      subscribed() {
        log.subscribed(id);
        delivery.subscription(true);
        session.flusher.kick();
      },
      subscriptionError(status) {
        log.warn(`subscription to conversation.${id} refused`, status);
        delivery.subscription(false);
      },
    };
  }

  function connectRealtime(cfg: ServerConfig): void {
    const events: LinkEvents = {
      state(state) {
        log.debug('websocket', state);
        delivery.linkState(state);
        if (state === 'connected') session.flusher.kick();
      },
      availability(change) {
        agentsOnline = change.agents_online;
        if (availability) availability = availabilityChanged(availability, change);
        if (!change.available) showTyping(false);
        render();
      },
      statusSubscribed: () => void loadConfig(),
    };
    try {
      const token = () => session.token;
      link = (win.Echo && options.echo ? connectEcho(win.Echo as EchoLike, cfg, token, events) : undefined) ?? connectPusher(cfg, token, events, options.debug ? log.debug : undefined);
      delivery.connecting();
      if (active !== undefined) link.subscribe(active, conversationEvents(active));
    } catch (error) {
      log.warn('realtime unavailable; polling', error);
      delivery.noRealtime();
    }
  }

  async function loadConfig(): Promise<void> {
    const res = await api.config();
    setReachable(res.status !== 0);
    if (!res.ok) {
      if (!config) delivery.noRealtime();
      retries.later('config', () => void loadConfig());
      return;
    }
    agentsOnline = res.data.agents_online;
    availability = availabilityOf(res.data);
    if (!config) {
      config = res.data;
      if (!options.color) view.setAccent(config.color);
      view.setGreeting(options.greeting ?? config.greeting);
      if (config.broadcaster && config.key) connectRealtime(config);
      else delivery.noRealtime();
    }
    render();
  }

  function setReachable(ok: boolean): void {
    if (ok === reachable) return;
    reachable = ok;
    // Without answers from the server, ask again in a few seconds (and at once when back online).
    if (!ok) retries.later('probe', () => void api.config().then((res) => setReachable(res.status !== 0)));
    else session.flusher.kick();
    render();
  }

  async function checkStored(): Promise<void> {
    const result = await session.checkStored(() => panelOpen);
    if (result === 'retry') retries.later('check', () => void checkStored());
    if (result === 'forgotten' && panelOpen) void session.lookup();
  }

  /** Never "Agent is typing…" while nobody is available. */
  function showTyping(typing: boolean): void {
    if (typingTimer !== undefined) clock.clearTimeout(typingTimer);
    typingTimer = typing ? clock.setTimeout(() => showTyping(false), TYPING_SHOWN_MS) : undefined;
    view.setTyping(typing && availability?.available !== false);
  }

  function render(stick = false): void {
    view.render(viewMessages(session.messages, attach.progressOf), agentReadSeq, stick);
    const away = awayNotice(availability, session.conversationId !== undefined, clock.now());
    view.setMode({ prompt: session.ticket !== undefined, closed: session.state === 'closed', prechat: options.prechat && session.conversationId === undefined && !away?.askEmail, away, conversation: session.conversationId !== undefined });
    view.setHeader(assignedAgent ?? lastAuthor, availability ? availability.available : agentsOnline > 0);
    boot.launcher.hidden = !panelOpen && hidesLauncher(availability, session.conversationId !== undefined);
    if (availability) boot.host.setAttribute('data-available', String(availability.available));
    const connection: Connection = win.navigator.onLine === false ? 'offline' : reachable ? 'online' : 'reconnecting';
    view.setConnection(connection);
    // Read receipts: when the open panel shows new agent messages, tell the server (`POST …/read`).
    const id = session.conversationId;
    if (panelOpen && doc.visibilityState !== 'hidden' && id !== undefined) markSeen(session.messages, store, (seq) => void api.read(id, seq));
    view.setUnread(panelOpen ? 0 : unreadCount(session.messages, store));
    const status = { conversation: session.state, conversation_id: session.conversationId ?? null, transport: delivery.transport, connection, agents_online: agentsOnline, available: availability?.available ?? null };
    const key = JSON.stringify(status);
    if (key !== lastStatus) {
      lastStatus = key;
      boot.emit('status', status);
    }
  }

  /** Opens the panel; `focus` is false when it reopens by itself on a new page (the focus stays where the page put it). */
  function open(focus = true): void {
    if (!panelOpen) {
      panelOpen = memory.open = true;
      view.setOpen(true);
      boot.emit('open');
      render(true);
      void device.ensure().then(() => session.lookup());
    }
    if (focus) view.focusComposer();
  }

  function close(): void {
    if (!panelOpen) return;
    const hadFocus = boot.root.activeElement !== null;
    panelOpen = memory.open = false;
    view.setOpen(false);
    boot.emit('close');
    if (hadFocus) view.focusLauncher();
    render();
  }

  const refresh = () => {
    void session.catchUp();
    render();
  };
  win.addEventListener('focus', refresh);
  doc.addEventListener('visibilitychange', () => doc.visibilityState === 'visible' && refresh());
  win.addEventListener('offline', () => render());
  win.addEventListener('online', () => {
    retries.runAll();
    render();
    session.flusher.kick();
    void session.catchUp();
  });
  view.setDraft(memory.draft);
  void loadConfig();
  void (boot.link === undefined ? checkStored() : followLink(boot.link, { api, retries, session, view, strings, host: boot.host, fingerprint: () => device.ensure(), open: () => open(false), checkStored }));
  if (boot.openNow || memory.open) open(boot.openNow);
  else render();

  return {
    open: () => open(),
    close,
    toggle: () => (panelOpen ? close() : open()),
    reset: () => identity.reset(),
    update(next: WidgetOptions) {
      if (next.identity !== options.identity) identity.set(next.identity);
      options = next;
      log = createLog(next.debug);
      if (next.color) view.setAccent(next.color);
      if (next.greeting || config) view.setGreeting(next.greeting ?? config?.greeting);
      render();
    },
  };
}

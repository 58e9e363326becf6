import type { ApiResult } from '../../shared/api-result.js';
import type { Clock } from '../../shared/clock.js';
import type { KeyValueStore } from '../../shared/key-value-store.js';
import type { Outbox } from '../../shared/outbox.js';
import { OutboxFlusher } from '../../shared/outbox-flusher.js';
import { sendOutcome, type SendOutcome } from '../../shared/send-outcome.js';
import { Transcript } from '../../shared/transcript.js';
import type { ChatApi } from './api.js';
import { decideLookup, decideStatus, forgetConversation, saveConversation, storedConversation, type StoredConversation } from './identity.js';
import type { Log } from './log.js';
import { visitorOutbox, type Contact, type OutboxItem } from './outbox-item.js';
import { pageFields } from './page-fields.js';
import { KEYS } from './storage.js';
import type { ChatMessage, Conversation, Joined } from './types.js';
import type { VisitorTranscript } from './view-messages.js';

/** Where the conversation stands, as the panel shows it. */
export type ConversationState = 'none' | 'open' | 'closed';

/** How the session reaches the rest of the widget: the view, realtime and the page. */
export interface SessionHooks {
  /** Messages, pending sends, the prompt or the conversation state changed. */
  changed(stick?: boolean): void;
  /** New server messages, and whether they came live (not in a transcript). */
  received(messages: ChatMessage[], live: boolean): void;
  /** A conversation is known (subscribe to its channel) or was left (undefined). */
  conversation(id: number | undefined): void;
  agent(name: string | undefined): void;
  /** A request answered (true) or could not reach the server (false). */
  reachable(ok: boolean): void;
}

export interface SessionDeps {
  api: ChatApi;
  store: KeyValueStore;
  clock: Clock;
  log: Log;
  hooks: SessionHooks;
  fingerprint(): Promise<string>;
  newId(): string;
  page: { url: string; referrer: string };
  /** Uploads a file item's bytes to `POST /api/chat/{id}/attachments` (web/widget/app/attach.ts). */
  files: { send(conversationId: number, item: OutboxItem): Promise<ApiResult<{ message: ChatMessage }>> };
}

/**
 * One visitor's conversation: which one it is (rules 1–6), its transcript (merged by `seq`) and
 * the outbox that delivers what the visitor writes, in order, exactly once.
 */
export class ChatSession {
  readonly messages: VisitorTranscript = new Transcript();
  state: ConversationState = 'none';
  /** A rule-5 offer: the visitor is asked "Continue your earlier conversation?". */
  ticket: string | undefined;
  private current: StoredConversation | undefined;
  private checking = false;
  private lookedUp = false;
  private catchingUp = false;
  private catchUpAgain = false;
  private readonly outbox: Outbox<OutboxItem>;
  readonly flusher: OutboxFlusher<OutboxItem>;

  constructor(private readonly deps: SessionDeps) {
    this.outbox = visitorOutbox(deps.store);
    this.flusher = new OutboxFlusher({
      outbox: this.outbox,
      clock: deps.clock,
      send: (item) => this.deliver(item),
      ready: () => !this.checking && this.ticket === undefined && this.state !== 'closed',
      onOutcome: (item, outcome) => {
        if (outcome.kind === 'failed') this.messages.failPending(item.client_message_id);
        if (outcome.kind !== 'retry') this.deps.hooks.changed();
      },
    });
    for (const item of this.outbox.items()) this.messages.addPending(item);
    this.current = storedConversation(deps.store);
  }

  get conversationId(): number | undefined {
    return this.current?.id;
  }

  get token(): string | undefined {
    return this.current?.token;
  }

  /** On load with a stored conversation (rules 2 and 3): resume it, or forget it. */
  async checkStored(panelOpen: () => boolean): Promise<'resumed' | 'forgotten' | 'closed' | 'retry' | 'none'> {
    const stored = this.current;
    if (!stored) {
      this.flusher.kick();
      return 'none';
    }
    this.checking = true;
    const res = await this.deps.api.status(stored.id);
    this.reachable(res);
    const decision = decideStatus(res.status, res.ok ? res.data : undefined);
    this.deps.log.debug('stored conversation', stored.id, decision);
    if (decision === 'retry') return 'retry';
    this.checking = false;
    if (decision === 'resume' && res.ok) {
      this.state = 'open';
      this.deps.hooks.agent(res.data.agent?.name);
      this.deps.hooks.conversation(stored.id);
      await this.catchUp(false);
      this.deps.log.resumed(res.data);
    } else if (decision === 'closed' && panelOpen()) {
      await this.catchUp(false);
      this.markClosed();
    } else {
      this.leave();
    }
    this.deps.hooks.changed(true);
    this.flusher.kick();
    return decision === 'resume' ? 'resumed' : decision === 'closed' && this.state === 'closed' ? 'closed' : 'forgotten';
  }

  /** On open with nothing stored (rules 4–6): a device match resumes, a network match asks. */
  async lookup(): Promise<void> {
    if (this.current || this.lookedUp || this.checking) return;
    this.lookedUp = true;
    this.checking = true;
    try {
      const res = await this.deps.api.lookup(await this.deps.fingerprint());
      this.reachable(res);
      const decision = decideLookup(res.ok ? res.data : undefined);
      if (decision.kind === 'join') this.adopt(decision.joined, true);
      if (decision.kind === 'ask') this.ticket = decision.ticket;
    } finally {
      this.checking = false;
      this.deps.hooks.changed(true);
      this.flusher.kick();
    }
  }

  /** A follow-up email's link (docs/widget.md, "Links from follow-up emails"): sends wait while it is redeemed; its conversation replaces the current one. */
  async follow(redeem: () => Promise<Joined | undefined>): Promise<boolean> {
    this.checking = true;
    const joined = await redeem().finally(() => (this.checking = false));
    if (!joined) return false;
    this.forgetGone();
    this.lookedUp = true;
    this.adopt(joined, true);
    this.flusher.kick();
    return true;
  }

  /** The visitor's answer to "Continue your earlier conversation?". */
  async answerPrompt(accept: boolean): Promise<void> {
    const ticket = this.ticket;
    this.ticket = undefined;
    if (accept && ticket) {
      const res = await this.deps.api.resume(ticket, await this.deps.fingerprint());
      this.reachable(res);
      if (res.ok) this.adopt(res.data, true);
    }
    this.deps.hooks.changed(true);
    this.flusher.kick();
  }

  /** Queues a message (or a file, with its own id: its bytes are stored under it): shown at once as pending, delivered by the outbox; `contact` goes with `start` only. */
  write(body: string, contact: Contact = {}, file?: Pick<OutboxItem, 'client_message_id' | 'file'>): OutboxItem {
    this.ticket = undefined;
    const item: OutboxItem = { client_message_id: this.deps.newId(), body, created_at: new Date(this.deps.clock.now()).toISOString(), ...contact, ...file };
    this.outbox.add(item);
    this.messages.addPending(item);
    this.deps.hooks.changed(true);
    this.flusher.kick();
    return item;
  }

  /** "Start a new conversation": forget the ended one; the next message starts another. */
  startOver(): void {
    this.leave();
    this.messages.clear();
    this.lookedUp = true;
    this.deps.hooks.changed(true);
    this.flusher.resume();
  }

  /** Fetches everything after the cursor (polling, reconnects, focus). One request at a time. */
  async catchUp(live = true): Promise<void> {
    // While a stored conversation is being checked, its transcript waits for the answer.
    if (!this.current || this.checking) return;
    if (this.catchingUp) {
      this.catchUpAgain = true;
      return;
    }
    this.catchingUp = true;
    try {
      for (let page = 0; page < 50 && this.current; page++) {
        const id: number = this.current.id;
        const res = await this.deps.api.messages(id, this.messages.cursor);
        this.reachable(res);
        if (!res.ok) {
          if (res.status === 404 && this.current?.id === id) this.forgetGone();
          return;
        }
        if (this.current?.id !== id) return;
        this.receive(res.data.messages, true, live);
        if (res.data.messages.length < 200) break;
      }
    } finally {
      this.catchingUp = false;
      if (this.catchUpAgain) {
        this.catchUpAgain = false;
        void this.catchUp();
      }
    }
  }

  /** Server messages from any path: merged by `seq`; a hole in the sequence triggers a catch-up. */
  receive(messages: ChatMessage[], fromCatchUp: boolean, live = true): void {
    const added = this.messages.merge(messages, fromCatchUp);
    if (added.length > 0) {
      this.deps.hooks.received(added, live);
      this.deps.hooks.changed();
    }
    if (this.messages.hasGap()) void this.catchUp();
  }

  /** `ConversationUpdated`: closed by an agent, or reopened. */
  updated(conversation: Conversation): void {
    if (conversation.id !== this.current?.id) return;
    this.deps.hooks.agent(conversation.agent?.name);
    if (conversation.status === 'closed') this.markClosed();
    else if (this.state === 'closed') {
      this.state = 'open';
      this.flusher.resume();
    }
    this.deps.hooks.changed();
  }

  /** The conversation ended: unsent messages are shown as not sent, and the composer gives way. */
  markClosed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.flusher.stop();
    for (const item of this.outbox.items()) this.messages.failPending(item.client_message_id);
    this.outbox.clear();
    this.deps.hooks.changed(true);
  }

  /** One outbox item: `start` for the first message of a conversation (a file's starts empty), then a send or, for a file, an upload. */
  private async deliver(item: OutboxItem): Promise<SendOutcome> {
    if (!this.current) {
      const res = await this.deps.api.start({
        fingerprint: await this.deps.fingerprint(),
        ...(item.file ? {} : { message: item.body, client_message_id: item.client_message_id }),
        ...pageFields(this.deps.page),
        ...(item.name ? { name: item.name } : {}),
        ...(item.email ? { email: item.email } : {}),
      });
      this.reachable(res);
      if (res.ok) this.adopt(res.data, res.data.resumed === true);
      if (!res.ok || !item.file) return sendOutcome(res);
    }
    const id = this.current?.id ?? 0;
    const res = item.file ? await this.deps.files.send(id, item) : await this.deps.api.send(id, item.body, item.client_message_id);
    this.reachable(res);
    if (res.ok) this.receive([res.data.message], false);
    const outcome = sendOutcome(res);
    if (outcome.kind === 'closed') this.markClosed();
    if (outcome.kind !== 'gone') return outcome;
    this.forgetGone(); // The token no longer opens it: the next attempt starts a new conversation.
    return { kind: 'retry', afterMs: 0 };
  }

  /** A conversation from `start`, `lookup` or `resume` becomes the current one. */
  private adopt(joined: Joined, resumed: boolean): void {
    const previous = this.current?.id;
    this.current = { id: joined.conversation.id, token: joined.visitor_token };
    saveConversation(this.deps.store, joined);
    if (this.deps.store.getItem(KEYS.lastSeq) === null) this.deps.store.setItem(KEYS.lastSeq, String(joined.conversation.visitor_read_seq ?? 0));
    this.state = joined.conversation.status === 'closed' ? 'closed' : 'open';
    this.deps.hooks.agent(joined.conversation.agent?.name);
    if (previous !== joined.conversation.id) this.deps.hooks.conversation(joined.conversation.id);
    this.receive(joined.messages, true, false);
    if (resumed) this.deps.log.resumed(joined.conversation);
    this.deps.hooks.changed(true);
  }

  private leave(): void {
    forgetConversation(this.deps.store);
    this.current = undefined;
    this.state = 'none';
    this.deps.hooks.conversation(undefined);
  }

  private forgetGone(): void {
    this.leave();
    this.messages.clear();
    for (const item of this.outbox.items()) this.messages.addPending(item);
    this.deps.hooks.changed();
  }

  private reachable(res: ApiResult<unknown>): void {
    this.deps.hooks.reachable(res.status !== 0);
  }
}

/** Fakes for the dashboard session: an in-memory agent API, a realtime link driven by the test, a page and a notifier. */
import type { AgentApi, ConversationAction } from '../../web/dashboard/agent-api.js';
import type { FileUpload } from '../../web/dashboard/attachments/upload-api.js';
import type { AgentLink, ConnectLink, LinkHandlers } from '../../web/dashboard/session/agent-link.js';
import type { DashboardSession } from '../../web/dashboard/session/dashboard-session.js';
import type { Notifier, PageHandlers, PageSignals } from '../../web/dashboard/session/page-signals.js';
import type { DashboardState } from '../../web/dashboard/session/session-state.js';
import type { Agent, AgentStatus, ChatConfig, Conversation, Message } from '../../web/dashboard/types.js';
import { failureOf, networkFailure, type ApiResult } from '../../web/shared/api-result.js';

export const at = (s: number) => new Date(1_700_000_000_000 + s * 1000).toISOString();

export const ANN: Agent = { id: 7, email: 'ann@example.com', name: 'Ann', role: 'agent', active: true, status: 'online', notify_email: true, notify_unanswered: true, created_at: at(0), last_seen_at: null };

export const conversation = (id: number, extra: Partial<Conversation> = {}): Conversation => ({
  id,
  status: 'open',
  last_seq: 0,
  visitor_read_seq: 0,
  agent_read_seq: 0,
  created_at: at(0),
  last_activity_at: at(0),
  closed_at: null,
  agent: null,
  visitor_name: null,
  visitor_email: null,
  client_ip: '127.0.0.1',
  user_agent: '',
  fingerprint_short: null,
  page_url: null,
  referrer: null,
  assigned_agent_id: null,
  unread_count: 0,
  last_message: null,
  labels: [],
  rating: null,
  visitor_user_id: null,
  identity_verified: false,
  ...extra,
});

const ok = <T>(data: T): ApiResult<T> => ({ ok: true, status: 200, data });

/** The agent API over conversations held in memory; `calls` lists each request as a short line. */
export class FakeAgentApi implements AgentApi {
  readonly conversations_ = new Map<number, Conversation>();
  readonly messages = new Map<number, Message[]>();
  readonly calls: string[] = [];
  /** Answers for the next replies, before the server acknowledges again. */
  readonly replyAnswers: ApiResult<never>[] = [];
  /** Answers for the next status switches, before the server accepts them again. */
  readonly statusAnswers: ApiResult<never>[] = [];
  /** No answer to anything (status 0). */
  down = false;
  config: ChatConfig = { broadcaster: 'reverb', key: 'app-key', wsHost: 'localhost', wsPort: 6001, wssPort: 6001, forceTLS: false, cluster: null };

  /** A visitor (or agent) message stored by the server, as a broadcast would carry it. */
  add(id: number, body: string, sender: Message['sender'] = 'visitor', clientMessageId?: string): Message {
    const list = this.messages.get(id) ?? [];
    const seq = list.length + 1;
    const message: Message = { id: id * 1000 + seq, conversation_id: id, seq, sender, body, created_at: at(seq), ...(clientMessageId ? { client_message_id: clientMessageId } : {}) };
    this.messages.set(id, [...list, message]);
    const c = this.conversations_.get(id) ?? conversation(id);
    this.conversations_.set(id, { ...c, last_seq: seq, last_message: message, unread_count: sender === 'visitor' ? c.unread_count + 1 : c.unread_count });
    return message;
  }

  async chatConfig() {
    return this.answer('config', () => ok(this.config));
  }
  async conversations(filter: { status: string; assigned: string }, cursor?: string) {
    return this.answer(`inbox ${filter.status}/${filter.assigned}${cursor ? ` after ${cursor}` : ''}`, () =>
      ok({ conversations: [...this.conversations_.values()].filter((c) => c.status === filter.status), next_cursor: null }),
    );
  }
  async conversation(id: number, after: number, limit: number) {
    return this.answer(`conversation ${id} after=${after}`, () => {
      const c = this.conversations_.get(id);
      if (!c) return failureOf(404, { error: { code: 'not_found', message: 'No such conversation.' } });
      const messages = (this.messages.get(id) ?? []).filter((m) => m.seq > after).slice(0, limit);
      return ok({ conversation: c, messages, earlier_conversations: [] });
    });
  }
  async markRead(id: number, seq: number) {
    return this.answer(`read ${id} ${seq}`, () => ok({}));
  }
  async reply(id: number, body: string, clientMessageId: string) {
    return this.answer(`reply ${id} ${body}`, () => this.replyAnswers.shift() ?? ok({ message: this.add(id, body, 'agent', clientMessageId) }));
  }
  async act(id: number, action: ConversationAction) {
    return this.answer(`${action} ${id}`, () => {
      const c = this.conversations_.get(id) ?? conversation(id);
      const next = { ...c, status: action === 'close' ? ('closed' as const) : action === 'reopen' ? ('open' as const) : c.status };
      this.conversations_.set(id, next);
      return ok({ conversation: next });
    });
  }
  async setStatus(status: AgentStatus) {
    return this.answer(`status ${status}`, () => this.statusAnswers.shift() ?? ok({ agent: { ...ANN, status } }));
  }
  /** The team as `GET /api/agent/team` lists it for every agent. */
  team_: Agent[] = [ANN];
  async team() {
    return this.answer('team', () => ok({ agents: this.team_.map(({ id, name, role, status }) => ({ id, name, role, status })) }));
  }
  async logout() {
    return this.answer('logout', () => ok({}));
  }

  /** Answers for the next uploads, before the server stores them again. */
  readonly uploadAnswers: ApiResult<never>[] = [];
  /** Each upload the server stored: conversation, file name, size, body and client_message_id. */
  readonly uploads: { id: number; name: string; size: number; body: string; client_message_id: string }[] = [];
  /** While set, an upload waits for the test: `held` lists them, to report progress and then finish. */
  holdUploads = false;
  readonly held: { progress(fraction: number): void; finish(): void }[] = [];
  /** The client_message_id of every upload attempt, answered or not. */
  readonly uploadAttempts: string[] = [];
  /** How many of the next stored uploads lose their answer on the way back (stored, but the browser sees no answer). */
  loseUploadAnswers = 0;
  async upload(id: number, file: FileUpload, onProgress: (fraction: number) => void) {
    this.uploadAttempts.push(file.clientMessageId);
    if (this.holdUploads) await new Promise<void>((finish) => this.held.push({ progress: onProgress, finish }));
    const result = this.storeUpload(id, file);
    if (!result.ok || this.loseUploadAnswers === 0) return result;
    this.loseUploadAnswers -= 1;
    return networkFailure();
  }

  private storeUpload(id: number, file: FileUpload): ApiResult<{ message: Message }> {
    return this.answer(`upload ${id} ${file.name}${file.body ? ` ${file.body}` : ''}`, () => {
      const answer = this.uploadAnswers.shift();
      if (answer) return answer;
      const list = this.messages.get(id) ?? [];
      // Idempotent by client_message_id, as the server is.
      const stored = list.find((m) => m.client_message_id === file.clientMessageId);
      if (stored) return ok({ message: stored });
      this.uploads.push({ id, name: file.name, size: file.blob.size, body: file.body, client_message_id: file.clientMessageId });
      const message = this.add(id, file.body, 'agent', file.clientMessageId);
      const image = file.blob.type.startsWith('image/');
      const withFile: Message = { ...message, attachments: [{ id: message.id, name: file.name, size: file.blob.size, type: file.blob.type, url: `/api/files/${message.id}/${file.name}?expires=1&sig=0`, image }] };
      this.messages.set(id, [...list, withFile]);
      return ok({ message: withFile });
    });
  }

  private answer<T>(call: string, answer: () => ApiResult<T>): ApiResult<T> {
    this.calls.push(call);
    return this.down ? networkFailure() : answer();
  }
}

/** A realtime link the test drives: `handlers` are what pusher-js would call. */
export class FakeLink implements AgentLink {
  handlers!: LinkHandlers;
  config: ChatConfig | undefined;
  readonly watched: (number | null)[] = [];
  readonly whispers: { typing?: boolean; name?: string }[] = [];
  disconnected = false;

  connect: ConnectLink = (config, handlers) => {
    this.config = config;
    this.handlers = handlers;
    return this;
  };
  watch(id: number | null): void {
    this.watched.push(id);
  }
  whisperTyping(data: { typing?: boolean; name?: string }): void {
    this.whispers.push(data);
  }
  disconnect(): void {
    this.disconnected = true;
  }
  /** The connection is up and `private-agents` subscribed. */
  up(): void {
    this.handlers.state('connected');
    this.handlers.subscribed();
  }
}

export class FakePage implements PageSignals {
  shown = true;
  up = true;
  handlers: PageHandlers | undefined;
  visible = () => this.shown;
  online = () => this.up;
  listen(handlers: PageHandlers): () => void {
    this.handlers = handlers;
    return () => (this.handlers = undefined);
  }
}

export class FakeNotifier implements Notifier {
  chimes = 0;
  readonly desktops: { title: string; body: string; onClick(): void }[] = [];
  permission = true;
  chime(): void {
    this.chimes += 1;
  }
  desktop(title: string, body: string, onClick: () => void): void {
    this.desktops.push({ title, body, onClick });
  }
  async askDesktopPermission(): Promise<boolean> {
    return this.permission;
  }
}

/** Resolves with the first state (now or after a change) that matches. */
export function until(session: DashboardSession, matches: (state: DashboardState) => boolean): Promise<DashboardState> {
  return new Promise((resolve) => {
    if (matches(session.state)) return resolve(session.state);
    const off = session.subscribe((state) => {
      if (!matches(state)) return;
      off();
      resolve(state);
    });
  });
}

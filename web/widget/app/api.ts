import { failureOf, networkFailure, type ApiResult } from '../../shared/api-result.js';
import type { TranscriptAnswer } from './transcript-notice.js';
import type { ChatMessage, ConversationStatus, Joined, LookupAnswer, ServerConfig } from './types.js';

interface FetchAnswer {
  status: number;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
}
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<FetchAnswer>;

export interface ApiDeps {
  fetch: FetchLike;
  /** Sent as `X-Client-Fingerprint` once known. */
  fingerprint(): string | undefined;
  /** Sent as `Authorization: Bearer` on conversation requests. */
  token(): string | undefined;
  /** A verified visitor's token (docs/identity.md): `identity_token` in `start` and `lookup`, `X-Parley-Identity` elsewhere. */
  identity?(): string | undefined;
  /** The server refused it (`identity_invalid`): the request is sent again without it, as an anonymous visitor. */
  identityRefused?(): void;
  timeoutMs?: number;
}

export interface StartInput {
  fingerprint?: string;
  message?: string;
  client_message_id?: string;
  page_url?: string;
  referrer?: string;
  name?: string;
  email?: string;
}

/** The customer API (docs/api.md), from the embedding page to the Parley server. */
export class ChatApi {
  constructor(
    private readonly server: string,
    private readonly deps: ApiDeps,
  ) {}

  config = () => this.call<ServerConfig>('GET', '/api/chat/config');
  start = (input: StartInput) => this.call<Joined>('POST', '/api/chat/start', input, false, true);
  lookup = (fingerprint: string) => this.call<LookupAnswer>('POST', '/api/chat/lookup', { fingerprint }, false, true);
  resume = (ticket: string, fingerprint: string) => this.call<Joined>('POST', '/api/chat/resume', { resume_ticket: ticket, fingerprint });
  link = (token: string, fingerprint: string) => this.call<Joined>('POST', '/api/chat/link', { token, fingerprint });
  status = (id: number) => this.call<ConversationStatus>('GET', `/api/chat/${id}/status`, undefined, true);
  messages = (id: number, after: number, limit = 200) =>
    this.call<{ messages: ChatMessage[]; last_seq: number }>('GET', `/api/chat/${id}/messages?after=${after}&limit=${limit}`, undefined, true);
  send = (id: number, body: string, clientMessageId: string) =>
    this.call<{ message: ChatMessage }>('POST', `/api/chat/${id}/messages`, { body, client_message_id: clientMessageId }, true);
  read = (id: number, seq: number) => this.call<void>('POST', `/api/chat/${id}/read`, { seq }, true);
  transcript = (id: number) => this.call<TranscriptAnswer>('POST', `/api/chat/${id}/transcript`, undefined, true);
  /** `POST /api/chat/{id}/rating`: once the conversation is closed (docs/api.md, "Ratings"). */
  rate = (id: number, score: number, comment: string) => this.call<unknown>('POST', `/api/chat/${id}/rating`, { score, comment }, true);

  private async call<T>(method: string, path: string, body?: object, auth = false, identityInBody = false): Promise<ApiResult<T>> {
    const identity = this.deps.identity?.();
    const result = await this.once<T>(method, path, identity && identityInBody ? { ...body, identity_token: identity } : body, auth, identityInBody ? undefined : identity);
    if (identity && !result.ok && result.error.code === 'identity_invalid') {
      this.deps.identityRefused?.();
      return this.once<T>(method, path, body, auth, undefined);
    }
    return result;
  }

  private async once<T>(method: string, path: string, body: unknown, auth: boolean, identity: string | undefined): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (identity) headers['X-Parley-Identity'] = identity;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const fingerprint = this.deps.fingerprint();
    if (fingerprint) headers['X-Client-Fingerprint'] = fingerprint;
    const token = auth ? this.deps.token() : undefined;
    if (token) headers.Authorization = `Bearer ${token}`;

    const abort = typeof AbortController === 'function' ? new AbortController() : undefined;
    const timer = setTimeout(() => abort?.abort(), this.deps.timeoutMs ?? 15_000);
    try {
      const init = { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), ...(abort ? { signal: abort.signal } : {}) };
      const res = await this.deps.fetch(this.server + path, init);
      const data = res.status === 204 ? undefined : await res.json().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, data: data as T };
      return failureOf(res.status, data, res.headers.get('Retry-After'));
    } catch {
      return networkFailure();
    } finally {
      clearTimeout(timer);
    }
  }
}

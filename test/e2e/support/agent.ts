import PusherJsModule from 'pusher-js';
import type { ApiMessage } from './server.js';

/** pusher-js is CommonJS whose types declare an ES default export; at run time the module itself is the class. */
const PusherJs = PusherJsModule as unknown as typeof PusherJsModule.default;

export const ADMIN = { email: 'admin@e2e.test', password: 'e2e-admin-password' };

export interface ApiConversation {
  id: number;
  status: 'open' | 'closed';
}

/** An agent logged in over HTTP, as the dashboard would be: session cookie plus CSRF token. */
export class Agent {
  private replies = 0;

  private constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string>,
  ) {}

  /**
   * Joins `presence-agents` as the dashboard does, so the agent counts as online; answers a
   * function that leaves again.
   */
  async goOnline(timeoutMs = 10_000): Promise<() => void> {
    const config = (await (await fetch(`${this.baseUrl}/api/chat/config`)).json()) as { key: string; wsHost: string; wsPort: number };
    const pusher = new PusherJs(config.key, {
      cluster: 'mt1',
      wsHost: config.wsHost,
      wsPort: config.wsPort,
      forceTLS: false,
      enabledTransports: ['ws'],
      disableStats: true,
      channelAuthorization: {
        endpoint: `${this.baseUrl}/broadcasting/auth`,
        transport: 'ajax',
        customHandler: ({ socketId, channelName }, callback) => {
          fetch(`${this.baseUrl}/broadcasting/auth`, {
            method: 'POST',
            headers: { cookie: this.headers.cookie as string, 'content-type': 'application/json' },
            body: JSON.stringify({ socket_id: socketId, channel_name: channelName }),
          })
            .then(async (res) => (res.ok ? callback(null, (await res.json()) as { auth: string }) : callback(new Error(`auth answered ${res.status}`), null)))
            .catch((error: Error) => callback(error, null));
        },
      },
    });
    const leave = () => pusher.disconnect();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        leave();
        reject(new Error(`the agent did not join presence-agents within ${timeoutMs} ms`));
      }, timeoutMs);
      const channel = pusher.subscribe('presence-agents');
      channel.bind('pusher:subscription_succeeded', () => {
        clearTimeout(timer);
        resolve();
      });
      channel.bind('pusher:subscription_error', (status: unknown) => {
        clearTimeout(timer);
        leave();
        reject(new Error(`presence-agents subscription failed: ${JSON.stringify(status)}`));
      });
    });
    return leave;
  }

  static async login(baseUrl: string, email = ADMIN.email, password = ADMIN.password): Promise<Agent> {
    const res = await fetch(`${baseUrl}/api/agent/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (res.status !== 200) throw new Error(`agent login answered ${res.status}: ${await res.text()}`);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('parley_session='));
    if (cookie === undefined) throw new Error('agent login set no parley_session cookie');
    const { csrf_token } = (await res.json()) as { csrf_token: string };
    return new Agent(baseUrl, { cookie: cookie.split(';')[0] as string, 'x-csrf-token': csrf_token });
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** Replies in a conversation, as an agent typing in the dashboard would. */
  async reply(conversationId: number, body: string): Promise<ApiMessage> {
    this.replies += 1;
    const { message } = await this.request<{ message: ApiMessage }>('POST', `/api/agent/conversations/${conversationId}/messages`, {
      body,
      client_message_id: `e2e-agent-${Date.now()}-${this.replies}`,
    });
    return message;
  }

  /** The whole transcript of a conversation as agents see it (system messages included). */
  async transcript(conversationId: number): Promise<ApiMessage[]> {
    const { messages } = await this.request<{ messages: ApiMessage[] }>('GET', `/api/agent/conversations/${conversationId}?limit=1000`);
    return messages;
  }

  /** Creates an agent (admins only), as the dashboard's admin page would. */
  async createAgent(input: { email: string; name: string; password: string; role?: 'admin' | 'agent' }): Promise<{ id: number; email: string; role: string }> {
    const { agent } = await this.request<{ agent: { id: number; email: string; role: string } }>('POST', '/api/agent/agents', input);
    return agent;
  }

  async close(conversationId: number): Promise<void> {
    await this.request('POST', `/api/agent/conversations/${conversationId}/close`);
  }

  async openConversations(): Promise<ApiConversation[]> {
    const { conversations } = await this.request<{ conversations: ApiConversation[] }>('GET', '/api/agent/conversations?status=open&limit=200');
    return conversations;
  }

  /**
   * Closes every open conversation. Every browser here shares 127.0.0.1, so an open conversation
   * left by one test would be offered to the next one ("Continue your earlier conversation?").
   */
  async closeAll(): Promise<void> {
    for (const conversation of await this.openConversations()) {
      await this.close(conversation.id);
    }
  }
}


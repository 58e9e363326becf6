import { api, type ApiResult } from './api.js';
import type { InboxFilter } from './inbox-state.js';
import { uploadAttachment, type FileUpload } from './attachments/upload-api.js';
import type { Agent, AgentStatus, ChatConfig, Conversation, Message, Note } from './types.js';

/** `GET /api/agent/conversations`: one page of the inbox. */
export interface InboxPage {
  conversations: Conversation[];
  next_cursor: string | null;
}

/** `GET /api/agent/conversations/{id}`: the conversation, its messages after a seq, the visitor's earlier ones. */
export interface ConversationPage {
  conversation: Conversation;
  messages: Message[];
  earlier_conversations: Conversation[];
  /** Every internal note of the conversation (absent from servers before notes). */
  notes?: Note[];
}

/** An agent as `GET /api/agent/team` lists them for every agent. */
export type TeamMember = Pick<Agent, 'id' | 'name' | 'role' | 'status'>;

/** `PATCH /api/agent/me`: the agent's own email preferences, each optional. */
export const savePreferences = (change: { notify_email?: boolean; notify_unanswered?: boolean }): Promise<ApiResult<{ agent: Agent }>> =>
  api('PATCH', '/api/agent/me', change);

/** What an agent can do to a conversation from its header. */
export type ConversationAction = 'assign' | 'unassign' | 'close' | 'reopen';

/** The agent API calls the dashboard session makes (docs/api.md); injected so the session is tested without HTTP. */
export interface AgentApi {
  chatConfig(): Promise<ApiResult<ChatConfig>>;
  conversations(filter: InboxFilter, cursor?: string): Promise<ApiResult<InboxPage>>;
  conversation(id: number, after: number, limit: number): Promise<ApiResult<ConversationPage>>;
  markRead(id: number, seq: number): Promise<ApiResult<unknown>>;
  reply(id: number, body: string, clientMessageId: string): Promise<ApiResult<{ message: Message }>>;
  act(id: number, action: ConversationAction): Promise<ApiResult<{ conversation: Conversation }>>;
  /** `PATCH /api/agent/me`: the agent's own status, kept across logins. */
  setStatus(status: AgentStatus): Promise<ApiResult<{ agent: Agent }>>;
  /** `GET /api/agent/team` (every agent): the active agents with their status, no emails. */
  team(): Promise<ApiResult<{ agents: TeamMember[] }>>;
  logout(): Promise<ApiResult<unknown>>;
  /** `POST /api/agent/conversations/{id}/notes`: an internal note (docs/dashboard.md, "Internal notes"). */
  addNote?(id: number, body: string, clientMessageId: string): Promise<ApiResult<{ note: Note }>>;
  /** `POST /api/agent/conversations/{id}/attachments`: one file, with the typed text (docs/dashboard.md, "Attachments"). */
  upload?(id: number, file: FileUpload, onProgress: (fraction: number) => void): Promise<ApiResult<{ message: Message }>>;
}

const ACTIONS: Record<ConversationAction, [path: string, body: object]> = {
  assign: ['assign', {}],
  unassign: ['assign', { agent_id: null }],
  close: ['close', {}],
  reopen: ['reopen', {}],
};

/** The agent API over the page's cookie session. */
export const httpAgentApi: AgentApi = {
  chatConfig: () => api('GET', '/api/chat/config'),
  conversations: (filter, cursor) =>
    api('GET', `/api/agent/conversations?status=${filter.status}&assigned=${filter.assigned}&limit=100${filter.label ? `&label=${encodeURIComponent(filter.label)}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
  conversation: (id, after, limit) => api('GET', `/api/agent/conversations/${id}?after=${after}&limit=${limit}`),
  markRead: (id, seq) => api('POST', `/api/agent/conversations/${id}/read`, { seq }),
  reply: (id, body, clientMessageId) => api('POST', `/api/agent/conversations/${id}/messages`, { body, client_message_id: clientMessageId }),
  act: (id, action) => api('POST', `/api/agent/conversations/${id}/${ACTIONS[action][0]}`, ACTIONS[action][1]),
  setStatus: (status) => api('PATCH', '/api/agent/me', { status }),
  team: () => api('GET', '/api/agent/team'),
  logout: () => api('POST', '/api/agent/logout'),
  addNote: (id, body, clientMessageId) => api('POST', `/api/agent/conversations/${id}/notes`, { body, client_message_id: clientMessageId }),
  upload: uploadAttachment,
};

import type { ConversationRow, MessageRow } from '../storage/schema.js';

/** A message as every client sees it (docs/api.md, "Objects"). */
export interface MessageDto {
  id: number;
  conversation_id: number;
  seq: number;
  sender: 'visitor' | 'agent' | 'system';
  author_name?: string;
  body: string;
  client_message_id?: string;
  created_at: string;
  /** Files sent with the message (docs/api.md, "Attachments"); present only when it has some. */
  attachments?: AttachmentDto[];
}

/** A file on a message (docs/api.md, "Attachments"). */
export interface AttachmentDto {
  id: number;
  /** Sanitised; its extension matches the detected type. */
  name: string;
  /** Bytes as stored (image metadata removed). */
  size: number;
  /** Detected from the content, never taken from the name or the upload's header. */
  type: string;
  /** Signed and short-lived (1–2 h), relative to the server: `/api/files/{id}/{name}?expires=…&sig=…`. */
  url: string;
  /** A raster image, shown inline; anything else is a download. */
  image: boolean;
}

/** An internal note as agents see it (docs/api.md, "Internal notes"); never sent to a visitor. */
export interface NoteDto {
  id: number;
  conversation_id: number;
  body: string;
  /** The writer's name; null once their account is gone. */
  author_name: string | null;
  agent_id: number | null;
  /** The conversation's `last_seq` when written: the note follows that message. */
  after_seq: number;
  client_message_id?: string;
  created_at: string;
  /** Ids of the active agents the body names with `@Name`. */
  mentions: number[];
}

export interface AgentRef {
  id: number;
  name: string;
}

/** The conversation as its visitor sees it: nothing about other people or the server. */
export interface VisitorConversationDto {
  id: number;
  status: 'open' | 'closed';
  last_seq: number;
  visitor_read_seq: number;
  agent_read_seq: number;
  created_at: string;
  last_activity_at: string;
  closed_at: string | null;
  agent: AgentRef | null;
}

/** The conversation as agents see it: visitor details included. */
export interface AgentConversationDto extends VisitorConversationDto {
  visitor_name: string | null;
  visitor_email: string | null;
  client_ip: string;
  user_agent: string;
  /** First 12 hex characters of the keyed fingerprint hash: enough to tell devices apart. */
  fingerprint_short: string | null;
  page_url: string | null;
  referrer: string | null;
  assigned_agent_id: number | null;
  unread_count: number;
  last_message: MessageDto | null;
  /** The conversation's labels, by name (docs/api.md, "Labels"). */
  labels: LabelChipDto[];
  /** The visitor's rating once given (docs/api.md, "Ratings"). */
  rating: RatingDto | null;
  /** The host site's user id from a verified identity token, and whether it was verified (docs/identity.md). */
  visitor_user_id: string | null;
  identity_verified: boolean;
}

/** A label on a conversation: its name and `#rrggbb` colour (null: the dashboard's neutral colour). */
export interface LabelChipDto {
  name: string;
  color: string | null;
}

export interface RatingDto {
  score: number;
  comment: string | null;
  created_at: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function toMessageDto(row: MessageRow, authorName?: string | null): MessageDto {
  const dto: MessageDto = {
    id: row.id,
    conversation_id: row.conversation_id,
    seq: row.seq,
    sender: row.sender,
    body: row.body,
    created_at: iso(row.created_at),
  };
  if (authorName) dto.author_name = authorName;
  if (row.client_message_id !== null) dto.client_message_id = row.client_message_id;
  return dto;
}

export function toVisitorConversation(row: ConversationRow, agent: AgentRef | null): VisitorConversationDto {
  return {
    id: row.id,
    status: row.status,
    last_seq: row.last_seq,
    visitor_read_seq: row.visitor_read_seq,
    agent_read_seq: row.agent_read_seq,
    created_at: iso(row.created_at),
    last_activity_at: iso(row.last_activity_at),
    closed_at: row.closed_at === null ? null : iso(row.closed_at),
    agent,
  };
}

export function toAgentConversation(
  row: ConversationRow,
  agent: AgentRef | null,
  extra: { unread_count: number; last_message: MessageDto | null; labels: LabelChipDto[]; rating: RatingDto | null },
): AgentConversationDto {
  return {
    ...toVisitorConversation(row, agent),
    visitor_name: row.visitor_name,
    visitor_email: row.visitor_email,
    client_ip: row.client_ip,
    user_agent: row.user_agent,
    fingerprint_short: row.client_fingerprint?.slice(0, 12) ?? null,
    page_url: row.page_url,
    referrer: row.referrer,
    assigned_agent_id: row.assigned_agent_id,
    visitor_user_id: row.visitor_user_id,
    identity_verified: Number(row.identity_verified) === 1,
    ...extra,
  };
}

/** Narrows an agent view to what the visitor may see (used on the visitor's channel). */
export function visitorView(c: AgentConversationDto): VisitorConversationDto {
  const { id, status, last_seq, visitor_read_seq, agent_read_seq, created_at, last_activity_at, closed_at, agent } = c;
  return { id, status, last_seq, visitor_read_seq, agent_read_seq, created_at, last_activity_at, closed_at, agent };
}

/** What `GET /api/chat/config` tells the widget: how to connect, and how to look (docs/api.md, "Objects"). */
export interface WidgetConfig {
  broadcaster: 'reverb' | 'pusher' | null;
  key: string | null;
  wsHost: string | null;
  wsPort: number | null;
  wssPort: number | null;
  forceTLS: boolean;
  cluster: string | null;
  authEndpoint: string;
  agents_online: number;
  /** An agent is online and connected, and (when business hours are set) it is within them (docs/api.md, "Availability"). */
  available: boolean;
  /** When not available: the next opening of the business hours, or null when unknown (no hours, or nobody online within them). */
  next_available_at: string | null;
  /** Shown by the widget while nobody is available. */
  away_message: string;
  /** While nobody is available: `form` asks for an email and takes a message; `hide` hides the launcher. */
  offline_mode: OfflineMode;
  greeting: string;
  color: string;
  /** What may be uploaded (docs/api.md, "Attachments"), so clients refuse early; the server still decides. */
  attachments: { max_bytes: number; types: string[] };
}

export type AgentStatus = 'online' | 'away';
export type OfflineMode = 'form' | 'hide';
/** Opening hours per weekday in `timezone` (IANA), e.g. `{mon: [["09:00","17:00"]]}`; a missing day is closed. */
export interface BusinessHours {
  timezone: string;
  days: Partial<Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', [string, string][]>>;
  /** Dates (`YYYY-MM-DD`, in `timezone`) when the business is closed all day. */
  holidays?: string[];
}

/** `GET`/`PATCH /api/agent/settings` (docs/api.md, "Chat settings"). */
export interface ChatSettingsDto {
  business_hours: BusinessHours | null;
  away_message: string;
  offline_mode: OfflineMode;
  greeting: string;
  color: string;
  auto_assign: boolean;
  max_open_per_agent: number;
  /** The visitor is emailed the transcript when a conversation closes (off by default). */
  transcript_on_close: boolean;
}

/** An agent account as the agent API answers it. */
export interface AgentDto {
  id: number;
  email: string;
  name: string;
  role: 'admin' | 'agent';
  active: boolean;
  /** Set by the agent in the dashboard (`PATCH /api/agent/me`); available when `online` and connected. */
  status: AgentStatus;
  /** Emailed about new conversations (`PATCH /api/agent/me`); on for new agents. */
  notify_email: boolean;
  /** Emailed about conversations left unanswered past a delay (`PATCH /api/agent/me`); on for new agents. */
  notify_unanswered: boolean;
  created_at: string;
  last_seen_at: string | null;
}

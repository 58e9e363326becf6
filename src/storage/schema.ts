import type { Generated, Insertable, Selectable } from 'kysely';
import type { MaintenanceRunsTable, PrivacyAuditTable } from './privacy-schema.js';
import type { WebhookDeliveriesTable, WebhooksTable } from './webhook-schema.js';

/** Times are stored as epoch milliseconds (`bigint` on PostgreSQL), identical on both engines. */
type Millis = number;

export interface ConversationsTable {
  id: Generated<number>;
  status: 'open' | 'closed';
  /** HMAC of the browser's fingerprint under APP_KEY; never the raw value. */
  client_fingerprint: string | null;
  client_ip: string;
  user_agent: string;
  visitor_token_hash: string;
  visitor_name: string | null;
  visitor_email: string | null;
  page_url: string | null;
  referrer: string | null;
  assigned_agent_id: number | null;
  last_seq: number;
  visitor_read_seq: number;
  agent_read_seq: number;
  created_at: Millis;
  last_activity_at: Millis;
  closed_at: Millis | null;
  /** The `Origin` of the request that started it (null without one): rules 5 and 6 match only that site. */
  origin: string | null;
  /** The highest agent message a follow-up email covered, or that was read in time (docs/email.md). */
  followup_seq: Generated<number>;
  /** The highest visitor message agents were emailed about as unanswered. */
  unanswered_seq: Generated<number>;
  /** 1 once `client_ip` was reduced after the resume window (docs/privacy.md). */
  ip_reduced: Generated<number>;
  /** The host site's user id from a verified identity token (docs/identity.md); null for anonymous visitors. */
  visitor_user_id: Generated<string | null>;
  /** 1 when started with a verified identity token, else 0. */
  identity_verified: Generated<number>;
}

export interface MessagesTable {
  id: Generated<number>;
  conversation_id: number;
  seq: number;
  sender: 'visitor' | 'agent' | 'system';
  agent_id: number | null;
  body: string;
  client_message_id: string | null;
  created_at: Millis;
  /** How many rows of `attachments` belong to the message: the views look files up only when > 0. */
  attachment_count: Generated<number>;
}

/** A file sent with a message (docs/api.md, "Attachments"); its bytes are in the `FileStore` named by `disk`. */
export interface AttachmentsTable {
  id: Generated<number>;
  conversation_id: number;
  message_id: number;
  /** Sanitised; its extension matches `type`. */
  name: string;
  /** Bytes as stored (image metadata removed). */
  size: number;
  /** Detected from the content. */
  type: string;
  disk: 'database' | 's3';
  /** 32 random hex characters: the key in the file store. */
  storage_key: string;
  created_at: Millis;
}

/** Attachment bytes on the `database` disk; a blob without an `attachments` row is an orphan the purge removes. */
export interface AttachmentBlobsTable {
  key: string;
  data: Uint8Array;
  created_at: Millis;
}

/** Every bearer token that opens a conversation; a rule-5 join sees messages from `visible_from_seq` on. */
export interface VisitorTokensTable {
  token_hash: string;
  conversation_id: number;
  visible_from_seq: number;
  created_at: Millis;
}

export interface ResumeTicketsTable {
  ticket_hash: string;
  conversation_id: number;
  fingerprint_hash: string;
  client_ip: string;
  expires_at: Millis;
  used_at: Millis | null;
  /** Random; with APP_KEY it derives the ticket again, so a repeated lookup gets the same one (see ChatService). */
  seed: string | null;
}

export interface AgentsTable {
  id: Generated<number>;
  email: string;
  name: string;
  password_hash: string;
  role: 'admin' | 'agent';
  created_at: Millis;
  last_seen_at: Millis | null;
  deactivated_at: Millis | null;
  /** Set by the agent in the dashboard; available to visitors when `online` and connected. */
  status: Generated<'online' | 'away'>;
  /** 1: emailed about new conversations (docs/email.md); 0: not. */
  notify_email: Generated<number>;
  /** 1: emailed about conversations left unanswered past `CHAT_UNANSWERED_DELAY_SECONDS`; 0: not. */
  notify_unanswered: Generated<number>;
}

/** Personal access tokens (docs/api.md, "API tokens"): only the keyed hash of the token is kept. */
export interface ApiTokensTable {
  id: Generated<number>;
  agent_id: number;
  name: string;
  token_hash: string;
  /** Comma list of `read`, `write`, `admin`. */
  scopes: string;
  created_at: Millis;
  expires_at: Millis | null;
  last_used_at: Millis | null;
  revoked_at: Millis | null;
}

export interface AgentSessionsTable {
  token_hash: string;
  agent_id: number;
  created_at: Millis;
  expires_at: Millis;
  ip: string;
  user_agent: string;
}

/** The one row (`id` 1) of chat settings; a null column means the default (docs/api.md, "Chat settings"). */
export interface ChatSettingsTable {
  id: number;
  /** JSON of `BusinessHours`; null: no hours, always open when an agent is. */
  business_hours: string | null;
  away_message: string | null;
  offline_mode: 'form' | 'hide' | null;
  greeting: string | null;
  color: string | null;
  /** 0 or 1 (SQLite has no boolean). */
  auto_assign: number | null;
  max_open_per_agent: number | null;
  updated_at: Millis | null;
  boundary_announced_at: Millis | null;
  /** 1: the visitor is mailed the transcript when the conversation closes; null or 0: not. */
  transcript_on_close: number | null;
  /** Round robin: the agent who got the last conversation assigned automatically. */
  last_assigned_agent_id: number | null;
}

/** A saved answer: shared (`owner_id` 0) or one agent's own. */
export interface CannedResponsesTable {
  id: Generated<number>;
  owner_id: number;
  shortcut: string;
  body: string;
  created_by: number | null;
  created_at: Millis;
  updated_at: Millis;
}

/** An internal note: agents only; placed among the messages by `after_seq` (the `last_seq` when written). */
export interface NotesTable {
  id: Generated<number>;
  conversation_id: number;
  agent_id: number | null;
  body: string;
  client_message_id: string | null;
  after_seq: number;
  created_at: Millis;
}

export interface LabelsTable {
  id: Generated<number>;
  name: string;
  color: string | null;
  created_at: Millis;
}

export interface ConversationLabelsTable {
  conversation_id: number;
  label_id: number;
}

/** The visitor's rating of a closed conversation, once; `agent_id`: the assignee when rated. */
export interface ConversationRatingsTable {
  conversation_id: number;
  score: number;
  comment: string | null;
  agent_id: number | null;
  created_at: Millis;
}

/** A single-use link of a follow-up email that reopens its conversation in the widget (docs/api.md). */
export interface ConversationLinksTable {
  token_hash: string;
  conversation_id: number;
  created_at: Millis;
  expires_at: Millis;
  used_at: Millis | null;
}

/** One queued email (docs/email.md): `pending` until sent, or `failed` after its last attempt, or `suppressed`. */
export interface EmailQueueTable {
  id: Generated<number>;
  kind: string;
  recipient: string;
  subject: string;
  text_body: string;
  html_body: string;
  dedupe_key: string | null;
  status: Generated<'pending' | 'sent' | 'failed' | 'suppressed'>;
  /** Claims so far, counted when claimed: a node that dies mid-send still uses up an attempt. */
  attempts: Generated<number>;
  send_after: Millis;
  claimed_by: string | null;
  lease_until: Millis | null;
  last_error: string | null;
  created_at: Millis;
  sent_at: Millis | null;
}

/** Addresses that unsubscribed, lower-cased: nothing is ever sent to them. */
export interface EmailSuppressionsTable {
  email: string;
  created_at: Millis;
}

export interface Database {
  conversations: ConversationsTable;
  messages: MessagesTable;
  visitor_tokens: VisitorTokensTable;
  resume_tickets: ResumeTicketsTable;
  agents: AgentsTable;
  agent_sessions: AgentSessionsTable;
  api_tokens: ApiTokensTable;
  chat_settings: ChatSettingsTable;
  email_queue: EmailQueueTable;
  email_suppressions: EmailSuppressionsTable;
  conversation_links: ConversationLinksTable;
  canned_responses: CannedResponsesTable;
  notes: NotesTable;
  labels: LabelsTable;
  conversation_labels: ConversationLabelsTable;
  conversation_ratings: ConversationRatingsTable;
  attachments: AttachmentsTable;
  attachment_blobs: AttachmentBlobsTable;
  privacy_audit: PrivacyAuditTable;
  maintenance_runs: MaintenanceRunsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

export type ConversationRow = Selectable<ConversationsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type AgentRow = Selectable<AgentsTable>;
export type AttachmentRow = Selectable<AttachmentsTable>;
export type NewConversation = Insertable<ConversationsTable>;

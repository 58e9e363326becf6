import { z } from 'zod';

/** Request shapes of the chat and agent APIs; messages read after the field name ("body is required"). */
export const MAX_BODY_CHARS = 5000;

const text = (max: number) =>
  z
    .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
    .trim()
    .min(1, 'must not be blank')
    .max(max, `must be at most ${max} characters`);

export const messageBody = z
  .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
  .max(MAX_BODY_CHARS, `must be at most ${MAX_BODY_CHARS} characters`)
  .refine((s) => s.trim().length > 0, 'must not be blank');

export const clientMessageId = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1–64 characters of letters, digits, . _ : or -');

export const fingerprint = z
  .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
  .regex(/^[A-Za-z0-9+/=_:.-]{16,256}$/, 'must be 16–256 characters of a hash (hex or base64)');

/**
 * A page address the widget reports: http(s) only (never `javascript:` or `data:`, which an agent
 * might click), kept without query, fragment or credentials (they often carry tokens and personal data).
 */
const url = z
  .string({ error: 'must be a string' })
  .max(2048, 'must be at most 2048 characters')
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an absolute http:// or https:// URL' }))
  .transform((value) => pageAddress(value));

export function pageAddress(value: string): string {
  const parsed = new URL(value);
  parsed.search = '';
  parsed.hash = '';
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

export const startBody = z.strictObject(
  {
    fingerprint: fingerprint.optional(),
    name: text(120).optional(),
    email: z.email({ error: 'must be an email address' }).max(254).optional(),
    message: messageBody.optional(),
    client_message_id: clientMessageId.optional(),
    page_url: url.optional(),
    // Browsers give '' when there is no referrer.
    referrer: z.preprocess((value) => (value === '' ? undefined : value), url.optional()),
    conversation_id: z.number({ error: 'must be a number' }).int().positive().optional(),
    // Checked by the route (docs/identity.md): a token that does not verify answers identity_invalid.
    identity_token: z.string({ error: 'must be a string' }).max(4096).optional(),
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `has unknown field(s): ${i.keys.join(', ')}` : 'must be a JSON object') },
);

export const lookupBody = z.object({ fingerprint, identity_token: z.string({ error: 'must be a string' }).max(4096).optional() }, { error: 'must be a JSON object' });

export const resumeBody = z.object(
  {
    resume_ticket: z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') }).min(1, 'is required').max(200),
    fingerprint,
  },
  { error: 'must be a JSON object' },
);

/** `POST /api/chat/link`: the token of a follow-up email's link; the fingerprint, when sent, is only checked for shape. */
export const linkBody = z.object(
  {
    token: z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') }).min(1, 'is required').max(200),
    fingerprint: fingerprint.optional(),
  },
  { error: 'must be a JSON object' },
);

export const sendBody = z.object(
  { body: messageBody, client_message_id: clientMessageId.optional() },
  { error: 'must be a JSON object' },
);

/**
 * The text fields of an upload (docs/api.md, "Attachments"), as `sendBody` but `body` may be
 * empty or missing: the file is the message.
 */
export const uploadFields = z.object(
  {
    body: z.string({ error: 'must be a string' }).max(MAX_BODY_CHARS, `must be at most ${MAX_BODY_CHARS} characters`).optional(),
    client_message_id: clientMessageId.optional(),
  },
  { error: 'must be form fields' },
);

export const readBody = z.object(
  { seq: z.number({ error: (i) => (i.input === undefined ? 'is required' : 'must be a number') }).int('must be a whole number').min(0, 'must be 0 or more') },
  { error: 'must be a JSON object' },
);

export const messagesQuery = z.object({
  after: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more').default(0),
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000').default(200),
});

export const loginBody = z.object(
  {
    email: z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') }).trim().min(1, 'is required').max(254),
    password: z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') }).min(1, 'is required').max(1024),
  },
  { error: 'must be a JSON object' },
);

export const conversationsQuery = z.object({
  status: z.enum(['open', 'closed'], { error: 'must be open or closed' }).optional(),
  assigned: z.enum(['me', 'none', 'any'], { error: 'must be me, none or any' }).optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int().min(1, 'must be at least 1').max(200, 'must be at most 200').default(50),
  cursor: z.string().max(64).optional(),
  /** Only conversations with this label (docs/api.md, "Labels"). */
  label: z.string().trim().min(1, 'must not be blank').max(40, 'must be at most 40 characters').optional(),
});

export const assignBody = z.object(
  { agent_id: z.number({ error: 'must be an agent id or null' }).int().positive().nullable().optional() },
  { error: 'must be a JSON object' },
);

const password = z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') }).min(8, 'must be at least 8 characters').max(1024);
const role = z.enum(['admin', 'agent'], { error: 'must be admin or agent' });

export const newAgentBody = z.object(
  {
    email: z.email({ error: (i) => (i.input === undefined ? 'is required' : 'must be an email address') }).max(254),
    name: text(120),
    password,
    role: role.default('agent'),
  },
  { error: 'must be a JSON object' },
);

/** `POST /api/agent/me/password`: the current password proves it is the agent, not someone at an unlocked screen. */
export const passwordChangeBody = z.object(
  {
    current_password: z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') }).min(1, 'is required').max(1024),
    password,
  },
  { error: 'must be a JSON object' },
);

export const agentPatchBody = z.object(
  { name: text(120).optional(), role: role.optional(), password: password.optional(), active: z.boolean({ error: 'must be true or false' }).optional() },
  { error: 'must be a JSON object' },
);

/** A positive integer id from a path; anything else is treated as not found. */
export function pathId(value: string): number | undefined {
  return /^[1-9]\d{0,15}$/.test(value) ? Number(value) : undefined;
}

/** `PATCH /api/agent/me`: the agent's own status and email preferences; one of them at least. */
export const agentMePatchBody = z
  .object(
    {
      status: z.enum(['online', 'away'], { error: 'must be online or away' }).optional(),
      notify_email: z.boolean({ error: 'must be true or false' }).optional(),
      notify_unanswered: z.boolean({ error: 'must be true or false' }).optional(),
    },
    { error: 'must be a JSON object' },
  )
  .refine((b) => b.status !== undefined || b.notify_email !== undefined || b.notify_unanswered !== undefined, { message: 'is required', path: ['status'] });

/** `GET /api/agent/search`: words to find (all must match) and the cursor of the next page. */
export const searchQuery = z.object({
  q: text(200),
  cursor: z.string({ error: 'must be a string' }).max(200, 'must be at most 200 characters').optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(50, 'must be at most 50').default(20),
});

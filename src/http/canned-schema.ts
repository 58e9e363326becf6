import { z } from 'zod';

/** Request shapes of `/api/agent/canned-responses` (docs/api.md, "Canned responses"). */
export const MAX_CANNED_BODY_CHARS = 5000;

/** 1–32 letters, digits, `-` or `_`, stored in lower case so `/Refund` and `/refund` are one shortcut. */
const shortcut = z
  .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
  .regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1–32 letters, digits, - or _ (no spaces)')
  .transform((s) => s.toLowerCase());

const body = z
  .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
  .max(MAX_CANNED_BODY_CHARS, `must be at most ${MAX_CANNED_BODY_CHARS} characters`)
  .refine((s) => s.trim().length > 0, 'must not be blank')
  .transform((s) => s.trim());

const shared = z.boolean({ error: 'must be true or false' });

export const cannedCreateBody = z.strictObject(
  { shortcut, body, shared: shared.default(false) },
  { error: (i) => (i.code === 'unrecognized_keys' ? `has unknown field(s): ${i.keys.join(', ')}` : 'must be a JSON object') },
);

/** Any of the fields; an empty object changes nothing but `updated_at`. */
export const cannedPatchBody = z.strictObject(
  { shortcut: shortcut.optional(), body: body.optional(), shared: shared.optional() },
  { error: (i) => (i.code === 'unrecognized_keys' ? `has unknown field(s): ${i.keys.join(', ')}` : 'must be a JSON object') },
);

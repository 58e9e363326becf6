import { z } from 'zod';
import { API_TOKEN_SCOPES } from '../agents/api-tokens.js';

/** `POST /api/agent/tokens` (docs/api.md, "API tokens"); messages read after the field name. */
export const apiTokenBody = z.object(
  {
    name: z
      .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
      .trim()
      .min(1, 'must not be blank')
      .max(100, 'must be at most 100 characters'),
    scopes: z
      .array(z.enum(API_TOKEN_SCOPES, { error: 'must each be read, write or admin' }), { error: (i) => (i.input === undefined ? 'is required' : 'must be a list of scopes') })
      .min(1, 'must name at least one scope')
      .max(3, 'must name at most three scopes'),
    expires_at: z
      .string({ error: 'must be a date and time like 2027-01-31T00:00:00Z, or null' })
      .max(40, 'must be a date and time like 2027-01-31T00:00:00Z, or null')
      .regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/, 'must be a date and time like 2027-01-31T00:00:00Z, or null')
      .transform((s) => Date.parse(s))
      .refine((ms) => Number.isFinite(ms), 'must be a real date')
      .nullable()
      .optional(),
  },
  { error: 'must be a JSON object' },
);

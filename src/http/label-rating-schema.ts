import { z } from 'zod';

/** Request shapes of labels and ratings (docs/api.md, "Labels", "Ratings"); messages read after the field name. */

const labelName = z
  .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
  .trim()
  .min(1, 'must not be blank')
  .max(40, 'must be at most 40 characters');

const asObject = { error: 'must be a JSON object' } as const;

export const labelBody = z.object(
  {
    name: labelName,
    color: z
      .string({ error: 'must be a string' })
      .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1a7f37')
      .transform((c) => c.toLowerCase())
      .nullable()
      .optional(),
  },
  asObject,
);

export const conversationLabelsBody = z.object(
  { labels: z.array(labelName, { error: (i) => (i.input === undefined ? 'is required' : 'must be a list of label names') }).max(20, 'must hold at most 20 labels') },
  asObject,
);

export const ratingBody = z.object(
  {
    score: z.number({ error: (i) => (i.input === undefined ? 'is required' : 'must be a number') }).int('must be a whole number').min(1, 'must be 1 to 5').max(5, 'must be 1 to 5'),
    comment: z
      .string({ error: 'must be a string' })
      .max(1000, 'must be at most 1000 characters')
      .transform((c) => (c.trim() === '' ? null : c.trim()))
      .nullable()
      .optional(),
  },
  asObject,
);

export const ratingsReportQuery = z.object({
  weeks: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(52, 'must be at most 52').default(12),
});

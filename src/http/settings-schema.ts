import { z } from 'zod';
import { isTimeZone, minutesOf, WEEKDAYS } from '../chat/business-hours.js';

/** `PATCH /api/agent/settings` (docs/api.md, "Chat settings"): every field optional, each checked and named when wrong. */

export const MAX_AWAY_MESSAGE_CHARS = 500;
const MAX_RANGES_PER_DAY = 12;
const MAX_HOLIDAYS = 366;

const time = z
  .string({ error: 'must be a time "HH:MM"' })
  .refine((value) => minutesOf(value) !== undefined, 'must be a time "HH:MM" from 00:00 to 24:00');

const range = z
  .tuple([time, time], { error: 'must be a pair ["HH:MM","HH:MM"]' })
  // A range never crosses midnight: "22:00" to "02:00" is two ranges on two days (docs/api.md, "Business hours").
  .refine(([start, end]) => (minutesOf(start) ?? 0) < (minutesOf(end) ?? 0), 'must start before it ends; a range past midnight is two ranges on two days');

const day = z.array(range, { error: 'must be a list of ["HH:MM","HH:MM"] ranges' }).max(MAX_RANGES_PER_DAY, `must have at most ${MAX_RANGES_PER_DAY} ranges`);

const days = z.strictObject(Object.fromEntries(WEEKDAYS.map((d) => [d, day.optional()])) as Record<(typeof WEEKDAYS)[number], z.ZodOptional<typeof day>>, {
  error: (i) => (i.code === 'unrecognized_keys' ? `has unknown day(s): ${i.keys.join(', ')} (use mon, tue, wed, thu, fri, sat, sun)` : 'must be an object of weekdays'),
});

const holiday = z
  .string({ error: 'must be a date "YYYY-MM-DD"' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date "YYYY-MM-DD"')
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), 'must be a real calendar date');

export const businessHoursBody = z.strictObject(
  {
    timezone: z
      .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
      .max(64, 'must be at most 64 characters')
      .refine(isTimeZone, 'must be an IANA time zone such as Europe/London'),
    days,
    holidays: z
      .array(holiday, { error: 'must be a list of dates' })
      .max(MAX_HOLIDAYS, `must have at most ${MAX_HOLIDAYS} dates`)
      .transform((dates) => [...new Set(dates)].sort())
      .optional(),
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `has unknown field(s): ${i.keys.join(', ')}` : 'must be an object {timezone, days, holidays?} or null') },
);

const shortText = (max: number) => z.string({ error: 'must be a string' }).trim().max(max, `must be at most ${max} characters`);

export const settingsPatchBody = z.strictObject(
  {
    business_hours: businessHoursBody.nullable().optional(),
    away_message: shortText(MAX_AWAY_MESSAGE_CHARS).optional(),
    offline_mode: z.enum(['form', 'hide'], { error: 'must be form or hide' }).optional(),
    greeting: shortText(500).optional(),
    color: z.string({ error: 'must be a string' }).regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #2563eb').optional(),
    auto_assign: z.boolean({ error: 'must be true or false' }).optional(),
    max_open_per_agent: z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100').optional(),
    transcript_on_close: z.boolean({ error: 'must be true or false' }).optional(),
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `has unknown field(s): ${i.keys.join(', ')}` : 'must be a JSON object') },
);

/** Business hours as the settings page edits them (docs/dashboard.md, "Chat settings"). DOM-free. */
import type { BusinessHours } from '../types.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const WEEKDAY_NAMES: Record<Weekday, string> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };

/** One opening on a day, `HH:MM` to `HH:MM`. */
export interface HoursRange {
  start: string;
  end: string;
}

/** The editor's hours: switched off keeps what was typed, so switching back on restores it. */
export interface HoursDraft {
  enabled: boolean;
  timezone: string;
  days: Record<Weekday, HoursRange[]>;
  holidays: string[];
}

/** What a shop usually opens with: weekdays nine to five. */
export const DEFAULT_RANGE: HoursRange = { start: '09:00', end: '17:00' };

const WORKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

/** The editor's draft of the saved hours; with none saved, weekdays 09:00–17:00 in `defaultZone`, switched off. */
export function draftFromHours(hours: BusinessHours | null, defaultZone: string): HoursDraft {
  const days = {} as Record<Weekday, HoursRange[]>;
  for (const day of WEEKDAYS) {
    days[day] = hours ? (hours.days[day] ?? []).map(([start, end]) => ({ start, end })) : WORKDAYS.includes(day) ? [{ ...DEFAULT_RANGE }] : [];
  }
  return { enabled: hours !== null, timezone: hours?.timezone ?? defaultZone, days, holidays: [...(hours?.holidays ?? [])] };
}

/** The wire shape of a draft: null when switched off; closed days left out, holidays sorted. */
export function hoursFromDraft(draft: HoursDraft): BusinessHours | null {
  if (!draft.enabled) return null;
  const days: BusinessHours['days'] = {};
  for (const day of WEEKDAYS) if (draft.days[day].length > 0) days[day] = draft.days[day].map((r): [string, string] => [r.start, r.end]);
  const holidays = [...draft.holidays].sort();
  return { timezone: draft.timezone, days, ...(holidays.length > 0 ? { holidays } : {}) };
}

/** As the server reads them: 00:00 to 23:59, and 24:00 to close at midnight. */
const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Problems the server would refuse too, found before sending, keyed by the names the server's `error.fields` use. */
export function hoursProblems(draft: HoursDraft): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!draft.enabled) return problems;
  if (!draft.timezone) problems['business_hours.timezone'] = 'Choose a time zone.';
  for (const day of WEEKDAYS) {
    const ranges = draft.days[day];
    ranges.forEach((range, i) => {
      const key = `business_hours.days.${day}.${i}`;
      if (!TIME.test(range.start) || !TIME.test(range.end)) problems[key] = 'Give both times as HH:MM (24:00 for midnight).';
      else if (range.start >= range.end) problems[key] = 'Closes before it opens.';
      else if (ranges.some((other, j) => j !== i && TIME.test(other.start) && other.start < range.end && range.start < other.end)) problems[key] = 'Overlaps other hours that day.';
    });
  }
  draft.holidays.forEach((date, i) => {
    if (!DATE.test(date)) problems[`business_hours.holidays.${i}`] = 'Give a date.';
  });
  return problems;
}

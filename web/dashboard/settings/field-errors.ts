import { WEEKDAYS } from './hours-draft.js';
import type { SettingsDraft } from './settings-form.js';

/** Problems sorted by where the page shows them: next to a field it draws, or (no such field) in the summary. */
export interface PlacedErrors {
  at: Record<string, string>;
  elsewhere: string[];
}

/** Every field name the page draws an error slot for, from the whole section down to one range. */
export function errorSlots(draft: SettingsDraft): string[] {
  const slots = ['away_message', 'offline_mode', 'greeting', 'color', 'transcript_on_close', 'auto_assign', 'max_open_per_agent', 'business_hours', 'business_hours.timezone', 'business_hours.holidays'];
  for (const day of WEEKDAYS) {
    slots.push(`business_hours.days.${day}`);
    draft.hours.days[day].forEach((_, i) => slots.push(`business_hours.days.${day}.${i}`));
  }
  draft.hours.holidays.forEach((_, i) => slots.push(`business_hours.holidays.${i}`));
  return slots;
}

/**
 * Puts each problem in the narrowest slot that names it or a field above it: the server may name
 * `business_hours.days.mon.0.1` (one end of a range) where the page shows the range.
 */
export function placeErrors(errors: Record<string, string>, slots: readonly string[]): PlacedErrors {
  const placed: PlacedErrors = { at: {}, elsewhere: [] };
  for (const [name, problem] of Object.entries(errors)) {
    const slot = slots.filter((s) => name === s || name.startsWith(`${s}.`)).sort((a, b) => b.length - a.length)[0];
    if (slot === undefined) placed.elsewhere.push(`${name.replace(/_/g, ' ')}: ${problem}`);
    else placed.at[slot] = placed.at[slot] ? `${placed.at[slot]} ${problem}` : problem;
  }
  return placed;
}

/** The id of a slot's error text, for `aria-describedby`. */
export const errorId = (slot: string): string => `error-${slot.replace(/\./g, '-')}`;

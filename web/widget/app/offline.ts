import type { OfflineMode, WidgetConfig } from '../../../src/chat/dto.js';
import type { AvailabilityPayload } from '../../../src/chat/realtime-contract.js';

/** Who can answer, as `GET /api/chat/config` reports it and `AvailabilityChanged` updates it (docs/widget.md, "When nobody is available"). */
export interface Availability {
  available: boolean;
  next_available_at: string | null;
  away_message: string;
  offline_mode: OfflineMode;
}

/** The availability part of the widget's config. */
export const availabilityOf = (config: Pick<WidgetConfig, keyof Availability>): Availability => ({
  available: config.available,
  next_available_at: config.next_available_at,
  away_message: config.away_message,
  offline_mode: config.offline_mode,
});

/** A live change: the admin's message and mode stay as the config gave them. */
export const availabilityChanged = (current: Availability, change: AvailabilityPayload): Availability => ({
  ...current,
  available: change.available,
  next_available_at: change.next_available_at,
});

/** Nobody can answer now (unknown until the config has answered: then the chat behaves as before). */
export const isAway = (availability: Availability | undefined): boolean => availability !== undefined && !availability.available;

/** The first message waits for an email: nobody can answer and there is no conversation to answer in yet. */
export const needsEmail = (availability: Availability | undefined, hasConversation: boolean): boolean => isAway(availability) && !hasConversation;

/**
 * The launcher hides only when the admin chose `hide`, nobody can answer, and this browser has no
 * conversation to come back to (a visitor with one can always open it).
 */
export const hidesLauncher = (availability: Availability | undefined, hasConversation: boolean): boolean =>
  availability?.offline_mode === 'hide' && isAway(availability) && !hasConversation;

/** Enough of an address to mail; the server checks it again. */
export const isEmail = (text: string): boolean => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text) && text.length <= 254;

/** What the away card says: the admin's message, when the next opening is (if known), and whether the email is asked for. */
export interface AwayNotice {
  message: string;
  opening: string | undefined;
  askEmail: boolean;
}

/** The away card for this availability: none while someone can answer (or before the config has answered). */
export function awayNotice(availability: Availability | undefined, hasConversation: boolean, now: number, locale?: LocaleOptions): AwayNotice | undefined {
  if (availability === undefined || availability.available) return undefined;
  return { message: availability.away_message, opening: openingTime(availability.next_available_at, now, locale), askEmail: !hasConversation };
}

/** Where the visitor's Intl settings come from: their browser, unless a test fixes them. */
export interface LocaleOptions {
  locale?: string;
  timeZone?: string;
}

/**
 * When the next opening is, in the visitor's language and time zone ("Monday 7 December at
 * 09:00"); undefined when unknown, unreadable or already past (then the panel says "as soon as we can").
 */
export function openingTime(nextAvailableAt: string | null, now: number, locale: LocaleOptions = {}): string | undefined {
  const at = nextAvailableAt === null ? NaN : Date.parse(nextAvailableAt);
  if (!Number.isFinite(at) || at <= now) return undefined;
  const options: Intl.DateTimeFormatOptions = { weekday: 'long', day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit' };
  if (locale.timeZone !== undefined) options.timeZone = locale.timeZone;
  try {
    return new Intl.DateTimeFormat(locale.locale, options).format(at);
  } catch {
    return new Date(at).toUTCString();
  }
}

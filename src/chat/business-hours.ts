import type { BusinessHours } from './dto.js';

/**
 * Business hours as pure functions of an instant (docs/api.md, "Business hours"). A range
 * `["09:00","17:00"]` on a day opens at the first instant whose wall-clock time in the zone is
 * 09:00 or later that day, and closes likewise at 17:00; `"24:00"` ends at the next midnight. A
 * range never crosses midnight: an evening into the night is two ranges on two days, which keeps
 * holidays (whole local days) unambiguous. Wall times skipped by a DST change open at the change.
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** How far ahead an opening is looked for: past a year of holidays. */
const HORIZON_DAYS = 400;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

/** Minutes after midnight of `"HH:MM"` (`"24:00"` allowed, as an end); undefined when malformed. */
export function minutesOf(time: string): number | undefined {
  if (!TIME.test(time)) return undefined;
  const [h, m] = time.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();
function formatIn(zone: string): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(zone, format);
  }
  return format;
}

/** The wall-clock time of `instant` in `zone`, as the epoch milliseconds of the same reading in UTC. */
function wallOf(instant: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatIn(zone).formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return Date.UTC(year, month - 1, day, hour, minute, second) + (((instant % 1000) + 1000) % 1000);
}

const offsetAt = (instant: number, zone: string): number => wallOf(instant, zone) - instant;

/** The first instant whose wall-clock time in `zone` reaches `wall` (a reading encoded as UTC milliseconds). */
export function instantOfWall(wall: number, zone: string): number {
  const offsets = [...new Set([offsetAt(wall - DAY, zone), offsetAt(wall, zone), offsetAt(wall + DAY, zone)])];
  const exact = offsets.map((o) => wall - o).filter((t) => wallOf(t, zone) === wall);
  if (exact.length > 0) return Math.min(...exact);
  // Skipped by a DST change: the change itself is the first instant past that reading.
  let low = wall - Math.max(...offsets);
  let high = wall - Math.min(...offsets);
  while (high - low > MINUTE) {
    const mid = low + Math.max(1, Math.floor((high - low) / 2 / MINUTE)) * MINUTE;
    if (wallOf(mid, zone) >= wall) high = mid;
    else low = mid;
  }
  return high;
}

/** The local calendar day (`Date.UTC` midnight of it) of `instant` in `zone`. */
function localDay(instant: number, zone: string): number {
  const wall = wallOf(instant, zone);
  return wall - (((wall % DAY) + DAY) % DAY);
}

const isoDate = (day: number): string => new Date(day).toISOString().slice(0, 10);

/** The opening intervals `[from, to)` of one local day (`Date.UTC` midnight), as instants. */
function intervalsOn(hours: BusinessHours, day: number): [number, number][] {
  if (hours.holidays?.includes(isoDate(day))) return [];
  const ranges = hours.days[WEEKDAYS[new Date(day).getUTCDay()] as Weekday] ?? [];
  const out: [number, number][] = [];
  for (const [start, end] of ranges) {
    const from = minutesOf(start);
    const to = minutesOf(end);
    if (from === undefined || to === undefined || from >= to) continue;
    out.push([instantOfWall(day + from * MINUTE, hours.timezone), instantOfWall(day + to * MINUTE, hours.timezone)]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** Intervals of the local days from the day before `now` on, in order, until `days` days have been looked at. */
function* intervalsFrom(hours: BusinessHours, now: number, days = HORIZON_DAYS): Generator<[number, number]> {
  const first = localDay(now, hours.timezone) - DAY;
  for (let i = 0; i <= days; i++) yield* intervalsOn(hours, first + i * DAY);
}

/** Whether the business is open at `now`. */
export function isOpen(hours: BusinessHours, now: number): boolean {
  for (const [from, to] of intervalsFrom(hours, now, 2)) if (from <= now && now < to) return true;
  return false;
}

/** The earliest instant at or after `now` when the business is open (`now` itself while open); null when none within about a year. */
export function nextOpening(hours: BusinessHours, now: number): number | null {
  for (const [from, to] of intervalsFrom(hours, now)) if (to > now) return Math.max(from, now);
  return null;
}

/** The next instant after `now` when the business opens or closes; null when it never does within about a year. */
export function nextChange(hours: BusinessHours, now: number): number | null {
  let openUntil: number | undefined;
  for (const [from, to] of intervalsFrom(hours, now)) {
    if (to <= now) continue;
    if (openUntil === undefined) {
      if (from > now) return from;
      openUntil = to;
    } else if (from <= openUntil) openUntil = Math.max(openUntil, to);
    else return openUntil;
  }
  return openUntil ?? null;
}

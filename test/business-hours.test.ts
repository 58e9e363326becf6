import { describe, expect, it } from 'vitest';
import { instantOfWall, isOpen, isTimeZone, minutesOf, nextChange, nextOpening } from '../src/chat/business-hours.js';
import type { BusinessHours } from '../src/chat/dto.js';

// Business hours as pure functions of an instant (docs/api.md, "Business hours").

const at = (iso: string): number => Date.parse(iso);
const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
const WEEKDAYS_9_TO_5 = { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] } as BusinessHours['days'];
const london: BusinessHours = { timezone: 'Europe/London', days: WEEKDAYS_9_TO_5 };
const newYork: BusinessHours = { timezone: 'America/New_York', days: WEEKDAYS_9_TO_5 };

describe('reading "HH:MM" and time zones', () => {
  it.each([
    ['00:00', 0],
    ['09:30', 570],
    ['23:59', 1439],
    ['24:00', 1440],
    ['24:01', undefined],
    ['9:00', undefined],
    ['25:00', undefined],
    ['12:60', undefined],
    ['', undefined],
  ])('%j is %j minutes after midnight', (time, minutes) => {
    expect(minutesOf(time)).toBe(minutes);
  });

  it.each([
    ['Europe/London', true],
    ['America/New_York', true],
    ['UTC', true],
    ['Mars/Olympus_Mons', false],
    ['', false],
  ])('%j is a time zone: %j', (zone, known) => {
    expect(isTimeZone(zone)).toBe(known);
  });
});

describe('isOpen', () => {
  it.each([
    ['a Monday morning in London (winter, UTC+0)', london, '2026-01-05T09:00:00Z', true],
    ['a minute before opening', london, '2026-01-05T08:59:59Z', false],
    ['the closing instant itself', london, '2026-01-05T17:00:00Z', false],
    ['a Saturday', london, '2026-01-10T12:00:00Z', false],
    ['09:00 London summer time is 08:00 UTC', london, '2026-07-06T08:00:00Z', true],
    ['08:30 UTC in summer is 09:30 in London', london, '2026-07-06T08:30:00Z', true],
    ['16:30 UTC in summer is 17:30 in London', london, '2026-07-06T16:30:00Z', false],
    ['09:00 in New York in winter is 14:00 UTC', newYork, '2026-01-05T14:00:00Z', true],
    ['13:59 UTC in New York winter is 08:59', newYork, '2026-01-05T13:59:00Z', false],
    ['Friday 20:00 in New York is Saturday 01:00 UTC', newYork, '2026-01-10T01:00:00Z', false],
    ['Friday 16:00 in New York is Friday 21:00 UTC', newYork, '2026-01-09T21:00:00Z', true],
  ])('%s', (_name, hours, when, open) => {
    expect(isOpen(hours, at(when))).toBe(open);
  });

  it('is closed all day on a holiday, in the local calendar', () => {
    const hours: BusinessHours = { ...newYork, holidays: ['2026-12-25'] };
    expect(isOpen(hours, at('2026-12-25T15:00:00Z'))).toBe(false);
    expect(isOpen(hours, at('2026-12-24T15:00:00Z'))).toBe(true);
    // 2026-12-26 01:00 UTC is still the 25th in New York.
    expect(isOpen({ timezone: 'America/New_York', days: { fri: [['00:00', '24:00']] }, holidays: ['2026-12-25'] }, at('2026-12-26T01:00:00Z'))).toBe(false);
  });

  it('serves an evening into the night as two ranges on two days', () => {
    const hours: BusinessHours = { timezone: 'Europe/London', days: { fri: [['22:00', '24:00']], sat: [['00:00', '02:00']] } };
    expect(isOpen(hours, at('2026-01-09T23:59:00Z'))).toBe(true);
    expect(isOpen(hours, at('2026-01-10T00:00:00Z'))).toBe(true);
    expect(isOpen(hours, at('2026-01-10T01:59:00Z'))).toBe(true);
    expect(isOpen(hours, at('2026-01-10T02:00:00Z'))).toBe(false);
    expect(nextChange(hours, at('2026-01-09T23:00:00Z'))).toBe(at('2026-01-10T02:00:00Z'));
  });

  it('ignores a range that does not start before it ends (validation refuses it)', () => {
    expect(isOpen({ timezone: 'UTC', days: { mon: [['22:00', '02:00']] } }, at('2026-01-05T23:00:00Z'))).toBe(false);
  });
});

describe('nextOpening', () => {
  it.each([
    ['while open: now', london, '2026-01-05T10:00:00Z', '2026-01-05T10:00:00.000Z'],
    ['before opening: today at 09:00', london, '2026-01-05T07:00:00Z', '2026-01-05T09:00:00.000Z'],
    ['after closing on Friday: Monday 09:00', london, '2026-01-09T18:00:00Z', '2026-01-12T09:00:00.000Z'],
    // Clocks go forward in London on Sunday 2026-03-29: Monday 09:00 BST is 08:00 UTC.
    ['London, Friday before clocks go forward: Monday 09:00 BST', london, '2026-03-27T18:00:00Z', '2026-03-30T08:00:00.000Z'],
    // Clocks go back in London on Sunday 2026-10-25: Monday 09:00 GMT is 09:00 UTC.
    ['London, Friday before clocks go back: Monday 09:00 GMT', london, '2026-10-23T17:00:00Z', '2026-10-26T09:00:00.000Z'],
    // New York springs forward on Sunday 2026-03-08: Monday 09:00 EDT is 13:00 UTC.
    ['New York, Friday before clocks go forward: Monday 09:00 EDT', newYork, '2026-03-06T23:00:00Z', '2026-03-09T13:00:00.000Z'],
    // New York falls back on Sunday 2026-11-01: Monday 09:00 EST is 14:00 UTC.
    ['New York, Friday before clocks go back: Monday 09:00 EST', newYork, '2026-10-30T22:00:00Z', '2026-11-02T14:00:00.000Z'],
  ])('%s', (_name, hours, when, expected) => {
    expect(iso(nextOpening(hours, at(when)))).toBe(expected);
  });

  it('skips holidays, and answers null when there are no opening days at all', () => {
    const hours: BusinessHours = { ...london, holidays: ['2026-12-25', '2026-12-28'] };
    expect(iso(nextOpening(hours, at('2026-12-24T18:00:00Z')))).toBe('2026-12-29T09:00:00.000Z');
    expect(nextOpening({ timezone: 'Europe/London', days: {} }, at('2026-12-24T18:00:00Z'))).toBeNull();
  });
});

describe('daylight saving changes', () => {
  it('opens a range that starts in the skipped hour at the change itself (London, 01:30 on 2026-03-29)', () => {
    expect(iso(instantOfWall(Date.UTC(2026, 2, 29, 1, 30), 'Europe/London'))).toBe('2026-03-29T01:00:00.000Z');
    const hours: BusinessHours = { timezone: 'Europe/London', days: { sun: [['01:30', '05:00']] } };
    expect(iso(nextOpening(hours, at('2026-03-28T12:00:00Z')))).toBe('2026-03-29T01:00:00.000Z');
    expect(isOpen(hours, at('2026-03-29T00:59:00Z'))).toBe(false);
    expect(isOpen(hours, at('2026-03-29T01:00:00Z'))).toBe(true);
    // 05:00 BST is 04:00 UTC.
    expect(iso(nextChange(hours, at('2026-03-29T02:00:00Z')))).toBe('2026-03-29T04:00:00.000Z');
  });

  it('opens New York at 02:30 on the spring-forward Sunday at 03:00 EDT, the change', () => {
    expect(iso(instantOfWall(Date.UTC(2026, 2, 8, 2, 30), 'America/New_York'))).toBe('2026-03-08T07:00:00.000Z');
  });

  it('keeps a range through the repeated hour (New York, clocks back at 02:00 EDT on 2026-11-01)', () => {
    const hours: BusinessHours = { timezone: 'America/New_York', days: { sun: [['01:00', '03:00']] } };
    // 01:00 EDT is 05:00 UTC; 03:00 EST is 08:00 UTC: three hours, the repeated one included.
    expect(iso(nextOpening(hours, at('2026-11-01T00:00:00Z')))).toBe('2026-11-01T05:00:00.000Z');
    expect(isOpen(hours, at('2026-11-01T06:30:00Z'))).toBe(true);
    expect(iso(nextChange(hours, at('2026-11-01T05:00:00Z')))).toBe('2026-11-01T08:00:00.000Z');
  });

  it('London: a whole Sunday lasts 23 hours in spring and 25 in autumn', () => {
    const sundays: BusinessHours = { timezone: 'Europe/London', days: { sun: [['00:00', '24:00']] } };
    const length = (saturdayNoon: string) => {
      const open = nextOpening(sundays, at(saturdayNoon)) as number;
      return ((nextChange(sundays, open) as number) - open) / 3_600_000;
    };
    expect(length('2026-03-28T12:00:00Z')).toBe(23);
    expect(length('2026-10-24T12:00:00Z')).toBe(25);
  });
});

describe('nextChange', () => {
  it.each([
    ['closed: the next opening', london, '2026-01-05T07:00:00Z', '2026-01-05T09:00:00.000Z'],
    ['open: the closing', london, '2026-01-05T10:00:00Z', '2026-01-05T17:00:00.000Z'],
    ['at the closing instant: the next opening', london, '2026-01-05T17:00:00Z', '2026-01-06T09:00:00.000Z'],
  ])('%s', (_name, hours, when, expected) => {
    expect(iso(nextChange(hours, at(when)))).toBe(expected);
  });

  it('merges ranges that touch, across midnight too', () => {
    const hours: BusinessHours = { timezone: 'UTC', days: { mon: [['08:00', '12:00'], ['12:00', '24:00']], tue: [['00:00', '06:00']] } };
    expect(iso(nextChange(hours, at('2026-01-05T09:00:00Z')))).toBe('2026-01-06T06:00:00.000Z');
  });

  it('answers null when the hours never open', () => {
    expect(nextChange({ timezone: 'UTC', days: {} }, at('2026-01-05T09:00:00Z'))).toBeNull();
  });
});

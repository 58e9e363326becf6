/** The time zones the hours editor offers: the browser's IANA list, plus UTC and the saved zone when the list lacks them. */
export function timeZoneChoices(supported: readonly string[], current: string): string[] {
  return [...new Set([...supported, 'UTC', ...(current ? [current] : [])])].sort();
}

/** The browser's IANA time zones (none in a browser without `Intl.supportedValuesOf`: the editor then offers UTC and the saved zone). */
export function supportedTimeZones(): string[] {
  return typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
}

/** The browser's own zone, proposed when hours are first set. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

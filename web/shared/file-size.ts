/** File sizes as people read them, for both browser apps (docs/widget.md, "Attachments"). DOM-free. */

/** `512 B`, `1.5 KB`, `12 KB`, `3.4 MB` (1 KB = 1024 bytes; one decimal below 10). */
export function humanSize(bytes: number): string {
  if (!(bytes >= 1024)) return `${Math.max(0, Math.round(bytes || 0))} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  return `${shown} ${units[unit]}`;
}

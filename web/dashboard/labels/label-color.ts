/** Label chip colours (docs/dashboard.md, "Labels"): text black or white, whichever contrasts more with the label's colour. */

/** The WCAG relative luminance of `#rrggbb`. */
export function luminance(hex: string): number {
  const channel = (i: number): number => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** The WCAG contrast ratio of two luminances. */
export const contrast = (a: number, b: number): number => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

/** Background and text for a chip; null (no colour, or not `#rrggbb`) gives the dashboard's neutral chip. */
export function chipColors(color: string | null): { background: string; color: string } | null {
  if (color === null || !/^#[0-9a-fA-F]{6}$/.test(color)) return null;
  const l = luminance(color);
  return { background: color, color: contrast(l, 1) >= contrast(l, 0) ? '#ffffff' : '#000000' };
}

/** Case-insensitive comparison of label names, as the server makes it. */
export const sameLabel = (a: string, b: string): boolean => a.toLocaleLowerCase('en') === b.toLocaleLowerCase('en');

/** The names after toggling `name` on or off. */
export function toggled(names: readonly string[], name: string, on: boolean): string[] {
  const rest = names.filter((n) => !sameLabel(n, name));
  return on ? [...rest, name] : rest;
}

/** Words for ratings (docs/dashboard.md, "Ratings"): the same phrasing wherever a score is shown. */

export const stars = (score: number): string => `${score} ${score === 1 ? 'star' : 'stars'}`;

/** A week's average with its count, or a dash without ratings. */
export const weekCell = (average: number | null, count: number): string => (average === null ? '—' : `${average.toFixed(2)} (${count})`);

/** The change from the week before, in words a screen reader reads as well as it shows. */
export function trend(change: number | null): string {
  if (change === null) return '';
  if (change === 0) return 'no change';
  return change > 0 ? `up ${change.toFixed(2)}` : `down ${Math.abs(change).toFixed(2)}`;
}

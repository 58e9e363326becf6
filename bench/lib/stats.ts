/** Median of the finite values; NaN when there are none. */
export function median(values: number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

/** Median over rounds of one figure picked from each round. */
export const medianOf = <T>(rounds: T[], pick: (r: T) => number): number => median(rounds.map(pick));

/** A rate limit: at most `max` events per `windowMs`. */
export interface Rate {
  max: number;
  windowMs: number;
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Parses "10/1m" (10 per minute), "5/30s", "100/1h", "3/500ms"; a bare period means seconds. */
export function parseRate(text: string): Rate | undefined {
  const match = /^(\d+)\/(\d+)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  const max = Number(match[1]);
  const unit = (match[3] ?? 's') as keyof typeof UNIT_MS;
  const windowMs = Number(match[2]) * UNIT_MS[unit];
  if (max < 1 || windowMs <= 0) return undefined;
  return { max, windowMs };
}

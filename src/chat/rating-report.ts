/** The ratings report's arithmetic (docs/api.md, "Ratings report"): ISO weeks in UTC, averages and their change. */

const DAY = 86_400_000;
const WEEK = 7 * DAY;

export interface WeekStat {
  /** ISO week, e.g. `2026-W49`. */
  week: string;
  /** Monday 00:00 UTC that starts it. */
  starts_at: string;
  count: number;
  /** Mean score (two decimals), null without ratings. */
  average: number | null;
  /** `average` minus the previous week's, when both weeks have ratings; else null. */
  change: number | null;
}

export interface AgentRatings {
  /** null: conversations nobody answered or whose agent was deleted. */
  agent_id: number | null;
  name: string | null;
  count: number;
  average: number | null;
  weeks: WeekStat[];
}

export interface RatingReport {
  weeks: string[];
  agents: AgentRatings[];
}

/** Monday 00:00 UTC of the week holding `ms`. */
export function weekStart(ms: number): number {
  const day = Math.floor(ms / DAY) * DAY;
  const weekday = (new Date(day).getUTCDay() + 6) % 7;
  return day - weekday * DAY;
}

/** The ISO 8601 week label of the week starting at `monday` (the year of its Thursday). */
export function isoWeek(monday: number): string {
  const thursday = new Date(monday + 3 * DAY);
  const year = thursday.getUTCFullYear();
  const firstThursday = weekStart(Date.UTC(year, 0, 4)) + 3 * DAY;
  const n = Math.round((thursday.getTime() - firstThursday) / WEEK) + 1;
  return `${year}-W${String(n).padStart(2, '0')}`;
}

/** The first instant the report covers: the Monday `weeks - 1` weeks before this week's. */
export function reportSince(now: number, weeks: number): number {
  return weekStart(now) - (weeks - 1) * WEEK;
}

const round = (n: number): number => Math.round(n * 100) / 100;
const mean = (sum: number, count: number): number | null => (count === 0 ? null : round(sum / count));

/** Groups ratings per agent and per week, oldest week first; agents with more ratings first. */
export function ratingReport(
  rows: { agent_id: number | null; agent_name: string | null; score: number; created_at: number }[],
  now: number,
  weeks: number,
): RatingReport {
  const since = reportSince(now, weeks);
  const starts = Array.from({ length: weeks }, (_, i) => since + i * WEEK);
  const byAgent = new Map<number | null, { name: string | null; sums: number[]; counts: number[] }>();
  for (const row of rows) {
    const index = Math.floor((row.created_at - since) / WEEK);
    if (index < 0 || index >= weeks) continue;
    const agent = byAgent.get(row.agent_id) ?? { name: row.agent_name, sums: starts.map(() => 0), counts: starts.map(() => 0) };
    agent.sums[index] = (agent.sums[index] ?? 0) + row.score;
    agent.counts[index] = (agent.counts[index] ?? 0) + 1;
    byAgent.set(row.agent_id, agent);
  }
  const agents = [...byAgent.entries()].map(([agent_id, a]): AgentRatings => {
    const count = a.counts.reduce((x, y) => x + y, 0);
    const averages = starts.map((_, i) => mean(a.sums[i] ?? 0, a.counts[i] ?? 0));
    return {
      agent_id,
      name: a.name,
      count,
      average: mean(a.sums.reduce((x, y) => x + y, 0), count),
      weeks: starts.map((start, i) => {
        const average = averages[i] ?? null;
        const previous = i === 0 ? null : (averages[i - 1] ?? null);
        return {
          week: isoWeek(start),
          starts_at: new Date(start).toISOString(),
          count: a.counts[i] ?? 0,
          average,
          change: average === null || previous === null ? null : round(average - previous),
        };
      }),
    };
  });
  agents.sort((x, y) => y.count - x.count || (x.name ?? '').localeCompare(y.name ?? ''));
  return { weeks: starts.map(isoWeek), agents };
}

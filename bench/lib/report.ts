/**
 * Turns the medians into the table printed and written to bench/results/latest.md: one row per
 * figure, with the floor, Parley, their ratio and the target it is held to.
 */
export interface Target {
  /** `ratio`: Parley ÷ floor; `value`: Parley's own figure. */
  on: 'ratio' | 'value';
  op: '<=' | '>=';
  limit: number;
  text: string;
}

export interface Row {
  scenario: string;
  metric: string;
  floor?: number;
  parley: number;
  ratio?: number;
  target?: Target;
  /** Figures without a verdict (not run, not available) say why here. */
  note?: string;
}

export type Verdict = 'met' | 'missed' | 'n/a' | '';

export function verdict(row: Row): Verdict {
  if (!row.target) return '';
  const value = row.target.on === 'ratio' ? row.ratio : row.parley;
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  return (row.target.op === '<=' ? value <= row.target.limit : value >= row.target.limit) ? 'met' : 'missed';
}

/** How far a missed target is off, in the target's own unit. */
function shortfall(row: Row): string {
  const t = row.target as Target;
  const value = (t.on === 'ratio' ? row.ratio : row.parley) as number;
  const by = Math.abs(value - t.limit);
  // A ratio a hair over its limit would read "by 0.00×": show the third decimal then.
  return t.on === 'ratio' ? ` by ${by.toFixed(by < 0.01 ? 3 : 2)}×` : ` by ${fmt(by)}`;
}

export function fmt(n: number | undefined): string {
  if (n === undefined) return '';
  if (!Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US');
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export function markdownTable(rows: Row[]): string {
  const lines = ['| scenario | figure | floor | Parley | Parley ÷ floor | target | result |', '| --- | --- | ---: | ---: | ---: | --- | --- |'];
  for (const row of rows) {
    const v = verdict(row);
    const result = v === 'missed' ? `**missed**${shortfall(row)}` : v === 'n/a' ? `n/a${row.note ? `: ${row.note}` : ''}` : v;
    const ratio = row.ratio === undefined ? '' : `${v === 'missed' && Math.abs(row.ratio - (row.target?.limit ?? 0)) < 0.01 ? row.ratio.toFixed(3) : fmt(row.ratio)}×`;
    lines.push(`| ${row.scenario} | ${row.metric} | ${fmt(row.floor)} | ${fmt(row.parley)} | ${ratio} | ${row.target?.text ?? ''} | ${result || (row.note ?? '')} |`);
  }
  return lines.join('\n');
}

/** A row comparing Parley with the floor, the ratio taken per round (interleaved) then the median. */
export function compared(scenario: string, metric: string, floor: number, parley: number, ratio: number, target?: Target): Row {
  return { scenario, metric, floor, parley, ratio, ...(target ? { target } : {}) };
}

export const atMost = (limit: number, text: string, on: Target['on'] = 'ratio'): Target => ({ on, op: '<=', limit, text });
export const atLeast = (limit: number, text: string, on: Target['on'] = 'ratio'): Target => ({ on, op: '>=', limit, text });

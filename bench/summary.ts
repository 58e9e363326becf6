/** From the rounds' raw results to the rows of the table: medians, per-round ratios, targets. */
import { CHAT_PATH, type SqlitePathResult, type TwoNodeResult } from './scenarios/chat-path.js';
import type { PollingResult } from './scenarios/polling.js';
import type { FanoutResult, IdleResult, LoadResult } from './scenarios/realtime.js';
import { atLeast, atMost, compared, type Row } from './lib/report.js';
import { medianOf } from './lib/stats.js';

export interface RealtimeSet {
  idle: IdleResult;
  chat: LoadResult;
  fanout: FanoutResult;
}

export interface Round {
  floor: RealtimeSet;
  parley: RealtimeSet;
  chatPath?: SqlitePathResult;
}

export interface Results {
  rounds: Round[];
  twoNodes?: TwoNodeResult | { error: string };
  polling?: PollingResult | { error: string };
}

type Pick = (s: RealtimeSet) => number;

/** Floor and Parley medians, and the median of the per-round ratios. */
function versus(rounds: Round[], scenario: string, metric: string, pick: Pick, target?: Parameters<typeof compared>[5]): Row {
  return compared(
    scenario,
    metric,
    medianOf(rounds, (r) => pick(r.floor)),
    medianOf(rounds, (r) => pick(r.parley)),
    medianOf(rounds, (r) => pick(r.parley) / pick(r.floor)),
    target,
  );
}

function realtimeRows(rounds: Round[]): Row[] {
  return [
    versus(rounds, 'idle: 10,000 connections', 'RSS per connection after GC (KB)', (s) => s.idle.bytesPerConnection / 1024, atMost(1.2, '≤ 1.2× floor')),
    versus(rounds, 'idle: 10,000 connections', 'of which JS heap (KB)', (s) => s.idle.heapBytesPerConnection / 1024),
    versus(rounds, 'chat: 1,000 ch × 2 subs, 500 ev/s', 'delivery p50 (ms)', (s) => s.chat.p50),
    versus(rounds, 'chat: 1,000 ch × 2 subs, 500 ev/s', 'delivery p99 (ms)', (s) => s.chat.p99, atMost(1.3, '≤ 1.3× floor')),
    versus(rounds, 'chat: 1,000 ch × 2 subs, 500 ev/s', 'delivered within 3 s of the last publish (%)', (s) => (100 * s.chat.deliveries) / s.chat.expected),
    versus(rounds, 'chat: 1,000 ch × 2 subs, 500 ev/s', 'server CPU per delivery (µs)', (s) => s.chat.cpuMicrosPerDelivery, atMost(1.3, '≤ 1.3× floor')),
    versus(rounds, 'fan-out: 1 ch × 1,000 subs', 'server CPU per delivery (µs), reference rate', (s) => s.fanout.reference.cpuMicrosPerDelivery, atMost(1.2, '≤ 1.2× floor')),
    versus(rounds, 'fan-out: 1 ch × 1,000 subs', 'p99 at reference rate (ms)', (s) => s.fanout.reference.p99),
    versus(rounds, 'fan-out: 1 ch × 1,000 subs', 'max sustained deliveries/s (p99 ≤ 100 ms)', (s) => s.fanout.maxSustainedDeliveriesPerSecond, atLeast(0.8, '≥ 0.8× floor')),
  ];
}

function chatPathRows(rounds: Round[]): Row[] {
  const paths = rounds.flatMap((r) => (r.chatPath ? [r.chatPath] : []));
  if (paths.length === 0) return [];
  const scenario = 'full chat path, SQLite, 1,000 conversations, 300 msg/s';
  return [
    { scenario, metric: 'visitor POST → agent socket p50 (ms)', parley: medianOf(paths, (p) => p.atTarget.p50), target: atMost(5, '≤ 5 ms', 'value') },
    { scenario, metric: 'visitor POST → agent socket p99 (ms)', parley: medianOf(paths, (p) => p.atTarget.p99), target: atMost(25, '≤ 25 ms', 'value') },
    { scenario, metric: 'server CPU per message (µs)', parley: medianOf(paths, (p) => p.atTarget.cpuMicrosPerMessage) },
    { scenario: 'full chat path, SQLite', metric: 'highest rate with p99 ≤ 100 ms (msg/s)', parley: medianOf(paths, (p) => p.maxRateUnderLimit) },
  ];
}

function twoNodeRows(result: Results['twoNodes']): Row[] {
  if (!result) return [];
  if ('error' in result) return [{ scenario: 'full chat path, PostgreSQL', metric: 'one and two nodes', parley: Number.NaN, note: `failed: ${result.error}` }];
  const rows: Row[] = [];
  for (const r of result.rates) {
    const scenario = `full chat path, PostgreSQL, ${r.rate} msg/s`;
    const p99 = (p: { p99: number }) => `p99 ${p.p99.toFixed(1)} ms`;
    // Only the target rate carries the target; the light rate shows the hop without queueing.
    const target = r.rate === CHAT_PATH.rate ? atMost(2, '≤ 2 ms', 'value') : undefined;
    rows.push({ scenario, metric: 'one node: p50 (ms)', parley: r.singleNode.p50, note: p99(r.singleNode) });
    if (!result.available || !r.sameNode || !r.crossNode) {
      rows.push({ scenario, metric: 'two nodes: added p50 (ms)', parley: Number.NaN, ...(target ? { target } : {}), note: `not available: ${result.reason ?? ''}` });
      continue;
    }
    rows.push({ scenario, metric: 'two nodes, agent on A (same node): p50 (ms)', parley: r.sameNode.p50, note: p99(r.sameNode) });
    rows.push({ scenario, metric: 'two nodes, agent on B (via Redis): p50 (ms)', parley: r.crossNode.p50, note: p99(r.crossNode) });
    rows.push({ scenario, metric: 'two nodes: added p50, B vs one node (ms)', parley: r.addedP50 ?? Number.NaN, ...(target ? { target } : {}) });
  }
  return rows;
}

function pollingRows(result: Results['polling']): Row[] {
  if (!result) return [];
  const scenario = 'polling vs WebSocket, 1,000 visitors, agent 20 replies/s';
  if ('error' in result) return [{ scenario, metric: 'both', parley: Number.NaN, note: `failed: ${result.error}` }];
  const rows: Row[] = [];
  for (const [name, r] of [['polling every 2.5 s', result.polling], ['WebSocket', result.websocket]] as const) {
    rows.push({ scenario, metric: `${name}: server CPU (%)`, parley: r.cpuPercent, note: `${r.requestsPerSecond.toFixed(0)} HTTP requests/s` });
    rows.push({ scenario, metric: `${name}: reply latency p50 / p99 (ms)`, parley: r.p50, note: `p99 ${r.p99.toFixed(1)} ms; ${r.received}/${r.replies} replies seen` });
  }
  return rows;
}

export function summaryRows(results: Results): Row[] {
  return [...realtimeRows(results.rounds), ...chatPathRows(results.rounds), ...twoNodeRows(results.twoNodes), ...pollingRows(results.polling)];
}

/**
 * The full chat path: a visitor's `POST /api/chat/{id}/messages` is stored, then reaches an agent
 * dashboard's socket as `MessageSent` on `private-agents` (docs/realtime.md). Timed from just
 * before the visitor's request to the agent's socket. No floor: nothing bare does this work.
 */
import { startConversations, type Visitor } from '../lib/chat-client.js';
import { mergeAll } from '../lib/histogram.js';
import type { LoadGenerators } from '../lib/load.js';
import { BENCH_APP } from '../lib/pusher-sign.js';
import { cpuBetween, type BenchServer } from '../lib/servers.js';
import { pgDatabase } from './pg-cluster.js';

export const CHAT_PATH = {
  conversations: 1000,
  rate: 300,
  /** PostgreSQL is also timed at this rate, low enough on 2 cores that queueing does not hide the cross-node hop. */
  lightRate: 50,
  /** Messages per second tried after the target rate, until p99 passes 100 ms. */
  stepRates: [450, 600, 800, 1000, 1300, 1700],
  p99LimitMs: 100,
};

export interface PathResult {
  rate: number;
  p50: number;
  p99: number;
  sent: number;
  delivered: number;
  failed: number;
  cpuPercent: number;
  cpuMicrosPerMessage: number;
}

export interface SqlitePathResult {
  atTarget: PathResult;
  steps: (PathResult & { ok: boolean })[];
  maxRateUnderLimit: number;
}

/** PostgreSQL at one rate: one node alone, then the two-node cluster seen from A and from B. */
export interface PgAtRate {
  rate: number;
  /** One node without Redis: the baseline the second node is compared with. */
  singleNode: PathResult;
  /** Two nodes: the agent socket on node A, where the visitors post. */
  sameNode?: PathResult;
  /** The agent socket on node B: the event crossed Redis. */
  crossNode?: PathResult;
  addedP50?: number;
}

export interface TwoNodeResult {
  available: boolean;
  reason?: string;
  rates: PgAtRate[];
}

const agentSocket = (server: BenchServer) => ({ url: server.wsUrl, channels: [['private-agents']], sign: BENCH_APP, event: 'MessageSent' });

/**
 * Visitors post at `rate` to `server`; returns one result per subscriber process (each holds one
 * agent socket, possibly on different nodes).
 */
export async function postMessages(server: BenchServer, load: LoadGenerators, visitors: Visitor[], rate: number, durationMs: number, agents: number): Promise<PathResult[]> {
  await load.resetDeliveries();
  const before = await server.stats();
  const sent = await load.send({ base: server.base, spec: { kind: 'visitor-send', conversations: visitors }, rate, durationMs, maxInflight: 128 });
  await load.drain(sent.ok * agents, 3000);
  const after = await server.stats();
  const cpu = cpuBetween(before, after);
  if (sent.failed > 0) console.warn(`  chat path: ${sent.failed} sends failed: ${sent.firstError ?? ''}`);
  const reports = await load.reports();
  return reports.slice(0, agents).map((r) => {
    const h = mergeAll([r.buckets]);
    return {
      rate,
      p50: h.quantile(0.5),
      p99: h.quantile(0.99),
      sent: sent.sent + sent.skipped,
      delivered: r.received,
      failed: sent.failed,
      cpuPercent: cpu.cpuPercent,
      cpuMicrosPerMessage: (cpu.cpuMs * 1000) / Math.max(1, sent.ok),
    };
  });
}

/** SQLite, one node, its 1,000 conversations already open: 300 messages/s, then higher rates. */
export async function chatPathSqlite(server: BenchServer, visitors: Visitor[], load: LoadGenerators, durationMs: number, stepMs: number): Promise<SqlitePathResult> {
  try {
    await load.connectOn(0, agentSocket(server));
    await postMessages(server, load, visitors, CHAT_PATH.rate, 1000, 1); // warm-up
    const [atTarget] = (await postMessages(server, load, visitors, CHAT_PATH.rate, durationMs, 1)) as [PathResult];
    const steps: SqlitePathResult['steps'] = [];
    for (const rate of CHAT_PATH.stepRates) {
      const [step] = (await postMessages(server, load, visitors, rate, stepMs, 1)) as [PathResult];
      const ok = step.p99 <= CHAT_PATH.p99LimitMs && step.delivered >= 0.99 * step.sent && step.failed === 0;
      steps.push({ ...step, ok });
      if (!ok) break;
    }
    const sustained = [atTarget, ...steps.filter((s) => s.ok)].filter((s) => s.p99 <= CHAT_PATH.p99LimitMs);
    return { atTarget, steps, maxRateUnderLimit: Math.max(0, ...sustained.map((s) => s.rate)) };
  } finally {
    await load.closeSockets();
  }
}

/**
 * PostgreSQL: one node without Redis, then two nodes sharing Redis on the same database. Visitors
 * post to node A; with two nodes one agent socket is on A and one on B, so the same messages are
 * timed with and without the cross-node hop. The p50 over one node's is what the second costs.
 */
export async function chatPathTwoNodes(load: LoadGenerators, durationMs: number): Promise<TwoNodeResult> {
  const rates = [CHAT_PATH.lightRate, CHAT_PATH.rate];
  const database = await pgDatabase();
  try {
    const single = await database.start(1, false);
    const [node] = single.nodes as [BenchServer];
    const visitors = await startConversations(node.base, CHAT_PATH.conversations);
    await load.connectOn(0, agentSocket(node));
    await postMessages(node, load, visitors, CHAT_PATH.rate, 1000, 1); // warm-up
    const results: PgAtRate[] = [];
    for (const rate of rates) results.push({ rate, singleNode: ((await postMessages(node, load, visitors, rate, durationMs, 1)) as [PathResult])[0] });
    await load.closeSockets();
    await single.stop();

    const pair = await database.start(2, true);
    const [a, b] = pair.nodes as [BenchServer, BenchServer];
    await load.connectOn(0, agentSocket(a));
    await load.connectOn(1, agentSocket(b));
    // A short probe: if node B never hears of node A's messages, say so instead of timing nothing.
    const [probeA, probeB] = await postMessages(a, load, visitors, 20, 500, 2);
    if (!probeB?.delivered) {
      const reason = `node B received ${probeB?.delivered ?? 0} of ${probeA?.sent ?? 0} messages posted to node A within 3 s: cross-node delivery is not working (is the Redis bus wired in?)`;
      return { available: false, reason, rates: results };
    }
    await postMessages(a, load, visitors, CHAT_PATH.rate, 1000, 2); // warm-up
    for (const r of results) {
      const [sameNode, crossNode] = (await postMessages(a, load, visitors, r.rate, durationMs, 2)) as [PathResult, PathResult];
      Object.assign(r, { sameNode, crossNode, addedP50: crossNode.p50 - r.singleNode.p50 });
    }
    return { available: true, rates: results };
  } finally {
    await load.closeSockets();
    await database.drop();
  }
}

/**
 * The seed's "Performance Comparison", measured: 1,000 visitors on the widget's polling fallback
 * versus 1,000 holding a WebSocket subscription to their conversation, while an agent replies at
 * a fixed rate. Same server, same conversations, one phase after the other.
 */
import { agentLogin, type Visitor } from '../lib/chat-client.js';
import type { LoadGenerators } from '../lib/load.js';
import { mergeAll } from '../lib/histogram.js';
import { BENCH_APP } from '../lib/pusher-sign.js';
import { cpuBetween, type BenchServer } from '../lib/servers.js';

export const POLLING = { visitors: 1000, intervalMs: 2500, replyRate: 20 };

export interface TransportResult {
  cpuPercent: number;
  p50: number;
  p99: number;
  replies: number;
  received: number;
  requestsPerSecond: number;
}

export interface PollingResult {
  polling: TransportResult;
  websocket: TransportResult;
}

/** Agent replies for `durationMs`, then `settleMs` for the last ones to arrive; CPU over both. */
async function replyPhase(server: BenchServer, load: LoadGenerators, visitors: Visitor[], durationMs: number, settleMs: number, collect: () => Promise<{ buckets: Record<string, number>; received: number }>) {
  const login = await agentLogin(server.base);
  const before = await server.stats();
  const sent = await load.send({ base: server.base, spec: { kind: 'agent-reply', ...login, conversationIds: visitors.map((v) => v.id) }, rate: POLLING.replyRate, durationMs, maxInflight: 32 });
  const deadline = Date.now() + settleMs;
  let got = await collect();
  while (got.received < sent.ok && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    got = await collect();
  }
  const after = await server.stats();
  const h = mergeAll([got.buckets]);
  const cpu = cpuBetween(before, after);
  return { seconds: cpu.wallMs / 1000, cpuPercent: cpu.cpuPercent, p50: h.quantile(0.5), p99: h.quantile(0.99), replies: sent.ok, received: got.received };
}

/** On a Parley server whose 1,000 visitors have open conversations. */
export async function pollingVsWebSocket(server: BenchServer, visitors: Visitor[], load: LoadGenerators, durationMs: number): Promise<PollingResult> {
  try {
    // A visitor's first poll also brings the chat-path messages posted before: they are not
    // agent replies, so they are not timed, and the warm-up interval below absorbs them.

    // Polling: every visitor asks for messages after its last seq every 2.5 s.
    await load.startPolling({ base: server.base, visitors, intervalMs: POLLING.intervalMs, maxSockets: 256 });
    await new Promise((r) => setTimeout(r, POLLING.intervalMs)); // every loop has started polling
    await load.poller.call('reset', {}, 5000);
    const pollPhase = await replyPhase(server, load, visitors, durationMs, POLLING.intervalMs + 1000, () => load.poller.call('report', {}, 5000));
    const polls = (await load.poller.call<{ polls: number }>('report', {}, 5000)).polls;
    await load.stopPolling();

    // WebSocket: every visitor subscribed to its own private-conversation channel, as the widget is.
    const channels = visitors.map((v) => [`private-conversation.${v.id}`]);
    await load.connect({ url: server.wsUrl, channels, sign: BENCH_APP, event: 'MessageSent' });
    await load.resetDeliveries();
    const wsPhase = await replyPhase(server, load, visitors, durationMs, 3000, async () => {
      const d = await load.deliveries();
      return { buckets: d.histogram.buckets, received: d.received };
    });
    // HTTP requests the server answered per second: polls plus the agent's replies.
    const { seconds: pollSeconds, ...polling } = pollPhase;
    const { seconds: _ws, ...websocket } = wsPhase;
    return {
      polling: { ...polling, requestsPerSecond: polls / pollSeconds + (POLLING.replyRate * durationMs) / 1000 / pollSeconds },
      websocket: { ...websocket, requestsPerSecond: (POLLING.replyRate * durationMs) / 1000 / wsPhase.seconds },
    };
  } finally {
    await load.closeSockets();
  }
}

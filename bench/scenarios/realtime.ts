/**
 * The scenarios run against both the floor and Parley with the same load generators: idle
 * connections (memory), chat (many small channels) and fan-out (one big channel).
 */
import type { LoadGenerators } from '../lib/load.js';
import { cpuBetween, type BenchServer } from '../lib/servers.js';

export const SIZES = {
  idleConnections: 10_000,
  chatChannels: 1000,
  chatRate: 500,
  fanoutSubscribers: 1000,
  /** Publishes per second to the one fan-out channel: the reference step, then higher ones. */
  fanoutRates: [6, 8, 10, 13, 17, 22, 29, 38, 49, 64, 83, 108],
  fanoutP99LimitMs: 100,
  fanoutBisections: 2,
};

const EVENT = 'bench';

export interface IdleResult {
  connections: number;
  bytesPerConnection: number;
  /** The JavaScript heap's share of it: the rest is native (sockets, buffers, allocator). */
  heapBytesPerConnection: number;
  connectSeconds: number;
}

export interface LoadResult {
  p50: number;
  p99: number;
  deliveries: number;
  expected: number;
  cpuMicrosPerDelivery: number;
  deliveriesPerSecond: number;
}

export interface FanoutResult {
  reference: LoadResult;
  steps: (LoadResult & { rate: number; sustained: boolean })[];
  maxSustainedDeliveriesPerSecond: number;
}

/** 10,000 sockets each subscribed to its own channel, then nothing: RSS growth per socket after GC. */
export async function idle(server: BenchServer, load: LoadGenerators): Promise<IdleResult> {
  const before = await server.stats(true);
  const started = performance.now();
  const channels = Array.from({ length: SIZES.idleConnections }, (_, i) => [`idle.${i}`]);
  await load.connect({ url: server.wsUrl, channels, event: EVENT }, 90_000);
  const connectSeconds = (performance.now() - started) / 1000;
  const after = await server.stats(true);
  await load.closeSockets();
  const n = channels.length;
  return { connections: n, bytesPerConnection: (after.rss - before.rss) / n, heapBytesPerConnection: (after.heapUsed - before.heapUsed) / n, connectSeconds };
}

/**
 * Publishes at `rate` for `durationMs` over the Pusher HTTP API, waits for the deliveries, and
 * reads the server's CPU time over the whole window.
 */
export async function timedLoad(server: BenchServer, load: LoadGenerators, channels: string[], fanout: number, rate: number, durationMs: number): Promise<LoadResult> {
  await load.resetDeliveries();
  const before = await server.stats();
  const sent = await load.send({ base: server.base, spec: { kind: 'publish', channels, event: EVENT }, rate, durationMs, maxInflight: 64 });
  const expected = sent.ok * fanout;
  const got = await load.drain(expected, 3000);
  const after = await server.stats();
  if (sent.failed > 0) console.warn(`  ${server.kind}: ${sent.failed} publishes failed: ${sent.firstError ?? ''}`);
  return {
    p50: got.histogram.quantile(0.5),
    p99: got.histogram.quantile(0.99),
    deliveries: got.received,
    expected: (sent.sent + sent.skipped) * fanout,
    cpuMicrosPerDelivery: (cpuBetween(before, after).cpuMs * 1000) / Math.max(1, got.received),
    deliveriesPerSecond: got.received / (durationMs / 1000),
  };
}

/** 1,000 channels with 2 subscribers each, 500 publishes/s spread over them. */
export async function chat(server: BenchServer, load: LoadGenerators, durationMs: number): Promise<LoadResult> {
  const names = Array.from({ length: SIZES.chatChannels }, (_, i) => `chat.${i}`);
  await load.connect({ url: server.wsUrl, channels: names.flatMap((c) => [[c], [c]]), event: EVENT });
  await timedLoad(server, load, names, 2, SIZES.chatRate, 1000); // warm-up: JIT and buffers, not measured
  const result = await timedLoad(server, load, names, 2, SIZES.chatRate, durationMs);
  await load.closeSockets();
  return result;
}

/**
 * 1 channel with 1,000 subscribers: a reference step (CPU per delivery at a rate both servers
 * sustain), then higher rates until p99 passes 100 ms or deliveries fall behind, then two
 * bisection steps between the last rate held and the first missed.
 */
export async function fanout(server: BenchServer, load: LoadGenerators, stepMs: number): Promise<FanoutResult> {
  const channel = 'fanout';
  await load.connect({ url: server.wsUrl, channels: Array.from({ length: SIZES.fanoutSubscribers }, () => [channel]), event: EVENT });
  const n = SIZES.fanoutSubscribers;
  await timedLoad(server, load, [channel], n, SIZES.fanoutRates[0] as number, 1000); // warm-up
  const steps: FanoutResult['steps'] = [];
  const step = async (rate: number) => {
    const result = await timedLoad(server, load, [channel], n, rate, stepMs);
    const sustained = result.p99 <= SIZES.fanoutP99LimitMs && result.deliveries >= 0.99 * result.expected;
    steps.push({ ...result, rate, sustained });
    return sustained;
  };
  let lo = 0;
  let hi = 0;
  for (const rate of SIZES.fanoutRates) {
    if (!(await step(rate))) {
      hi = rate;
      break;
    }
    lo = rate;
  }
  // The steps are 30 % apart, coarser than the 0.8× target: bisect between the last rate held and the first missed.
  for (let i = 0; i < SIZES.fanoutBisections && lo > 0 && hi > 0; i++) {
    const mid = Math.round((lo + hi) / 2);
    if (await step(mid)) lo = mid;
    else hi = mid;
  }
  await load.closeSockets();
  const best = steps.filter((s) => s.sustained).map((s) => s.deliveriesPerSecond);
  return { reference: steps[0] as LoadResult, steps, maxSustainedDeliveriesPerSecond: best.length ? Math.max(...best) : 0 };
}

/**
 * Load-generator process: visitors on the widget's polling fallback, each asking
 * `GET /api/chat/{id}/messages?after=<last seq>` every interval (2.5 s in the widget), and timing
 * each agent reply from its `ts=` stamp to the poll that brought it.
 */
import { Histogram, TS_PATTERN, wallMs } from '../lib/histogram.js';
import { httpAgent, request } from '../lib/http.js';
import { serveRpc, withTimeout } from '../lib/proc.js';

export interface PollArgs {
  base: string;
  visitors: { id: number; token: string; after: number; ip: string }[];
  intervalMs: number;
  maxSockets: number;
}

interface Message {
  seq: number;
  sender: string;
  body: string;
}

const histogram = new Histogram();
let polls = 0;
let failed = 0;
let running = false;
const loops: Promise<void>[] = [];

async function pollLoop(args: PollArgs, visitor: PollArgs['visitors'][number], agent: ReturnType<typeof httpAgent>): Promise<void> {
  // Spread the visitors over the interval, as independent page loads would be.
  await new Promise((r) => setTimeout(r, Math.random() * args.intervalMs));
  while (running) {
    const started = performance.now();
    try {
      const answer = await request(args.base, { method: 'GET', path: `/api/chat/${visitor.id}/messages?after=${visitor.after}`, headers: { authorization: `Bearer ${visitor.token}`, 'x-forwarded-for': visitor.ip } }, agent);
      polls++;
      if (answer.status !== 200) failed++;
      else {
        const { messages } = JSON.parse(answer.body) as { messages: Message[] };
        const now = wallMs();
        for (const m of messages) {
          visitor.after = Math.max(visitor.after, m.seq);
          const match = m.sender === 'agent' ? TS_PATTERN.exec(m.body) : null;
          if (match) histogram.record(now - Number(match[1]));
        }
      }
    } catch {
      failed++;
    }
    const wait = args.intervalMs - (performance.now() - started);
    if (running && wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

serveRpc({
  start: (args: PollArgs) => {
    running = true;
    const agent = httpAgent(args.maxSockets);
    for (const visitor of args.visitors) loops.push(pollLoop(args, visitor, agent));
    return true;
  },
  stop: async () => {
    running = false;
    // A loop ends after its current poll or wait: at most one interval plus one request deadline.
    await withTimeout(Promise.all(loops), 15_000, 'stopping pollers');
    loops.length = 0;
    return true;
  },
  reset: () => {
    histogram.reset();
    polls = 0;
    failed = 0;
    return true;
  },
  report: () => ({ buckets: histogram.buckets, received: histogram.count, polls, failed }),
});

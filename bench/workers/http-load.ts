/**
 * Load-generator process: sends HTTP requests open-loop at a fixed rate (requests are due on a
 * schedule whether or not earlier ones have answered, so a slow server shows up as latency, not
 * as a politely lower rate). Each request body carries a `ts=` stamp for the receivers.
 */
import { stamp } from '../lib/histogram.js';
import { httpAgent, request, type HttpRequest } from '../lib/http.js';
import { serveRpc } from '../lib/proc.js';
import { BENCH_APP, signedApiPath } from '../lib/pusher-sign.js';

/** What to send: a Pusher HTTP API publish, a visitor message, or an agent reply. */
export type LoadSpec =
  | { kind: 'publish'; channels: string[]; event: string }
  | { kind: 'visitor-send'; conversations: { id: number; token: string; ip: string }[] }
  | { kind: 'agent-reply'; cookie: string; csrf: string; conversationIds: number[] };

export interface RunArgs {
  base: string;
  spec: LoadSpec;
  rate: number;
  durationMs: number;
  maxInflight: number;
}

export interface RunReport {
  sent: number;
  ok: number;
  failed: number;
  /** Due but not sent because `maxInflight` requests were still waiting: the server fell behind. */
  skipped: number;
  firstError?: string;
}

let serial = 0;

function build(spec: LoadSpec, i: number): HttpRequest {
  switch (spec.kind) {
    case 'publish': {
      const channel = spec.channels[i % spec.channels.length] as string;
      const body = JSON.stringify({ name: spec.event, channels: [channel], data: JSON.stringify({ note: stamp() }) });
      return { method: 'POST', path: signedApiPath(BENCH_APP, 'POST', `/apps/${BENCH_APP.id}/events`, body), body };
    }
    case 'visitor-send': {
      const c = spec.conversations[i % spec.conversations.length] as { id: number; token: string; ip: string };
      const body = JSON.stringify({ body: `bench ${stamp()}`, client_message_id: `b-${process.pid}-${serial++}` });
      return { method: 'POST', path: `/api/chat/${c.id}/messages`, headers: { authorization: `Bearer ${c.token}`, 'x-forwarded-for': c.ip }, body };
    }
    case 'agent-reply': {
      const id = spec.conversationIds[i % spec.conversationIds.length] as number;
      const body = JSON.stringify({ body: `reply ${stamp()}`, client_message_id: `a-${process.pid}-${serial++}` });
      return { method: 'POST', path: `/api/agent/conversations/${id}/messages`, headers: { cookie: spec.cookie, 'x-csrf-token': spec.csrf }, body };
    }
  }
}

async function run(args: RunArgs): Promise<RunReport> {
  const agent = httpAgent(args.maxInflight);
  const report: RunReport = { sent: 0, ok: 0, failed: 0, skipped: 0 };
  let inflight = 0;
  let due = 0;
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  while (performance.now() - start < args.durationMs) {
    const target = Math.floor(((performance.now() - start) / 1000) * args.rate);
    for (; due < target; due++) {
      if (inflight >= args.maxInflight) {
        report.skipped++;
        continue;
      }
      inflight++;
      report.sent++;
      const p = request(args.base, build(args.spec, due), agent).then(
        (answer) => {
          if (answer.status >= 200 && answer.status < 300) report.ok++;
          else {
            report.failed++;
            report.firstError ??= `${answer.status} ${answer.body.slice(0, 160)}`;
          }
        },
        (error: Error) => {
          report.failed++;
          report.firstError ??= error.message;
        },
      );
      const tracked = p.finally(() => {
        inflight--;
        pending.delete(tracked);
      });
      pending.add(tracked);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  // Every request has its own 10 s deadline, so this wait is bounded too.
  await Promise.all(pending);
  agent.destroy();
  return report;
}

serveRpc({ run });

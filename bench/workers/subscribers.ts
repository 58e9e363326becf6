/**
 * Load-generator process: holds WebSocket subscribers (pusher-js's wire behaviour: subscribe after
 * connection_established, answer pusher:ping) and measures each timed event's delivery latency
 * from the `ts=` stamp in its payload. Driven over IPC by the runner.
 */
import WebSocket from 'ws';
import { Histogram, TS_PATTERN, wallMs } from '../lib/histogram.js';
import { serveRpc, withTimeout } from '../lib/proc.js';
import { channelAuth } from '../lib/pusher-sign.js';

export interface ConnectArgs {
  url: string;
  /** One entry per connection: the channels it subscribes to. */
  channels: string[][];
  /** Signs `private-` subscriptions with the app secret, as /broadcasting/auth would. */
  sign?: { key: string; secret: string };
  /** Frames containing `"event":"<name>"` are timed. */
  event: string;
  concurrency: number;
  timeoutMs: number;
}

export interface SubscriberReport {
  buckets: Histogram['buckets'];
  received: number;
  open: number;
  errors: string[];
}

const sockets = new Set<WebSocket>();
const histogram = new Histogram();
const errors: string[] = [];
let marker = '';

function noteError(message: string): void {
  if (errors.length < 20) errors.push(message);
}

/** Opens one connection and resolves once every channel is subscribed. */
function openOne(args: ConnectArgs, channels: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(args.url, { perMessageDeflate: false });
    let pending = channels.length;
    ws.on('message', (raw) => {
      const text = raw.toString();
      if (text.includes(marker)) {
        const match = TS_PATTERN.exec(text);
        if (match) histogram.record(wallMs() - Number(match[1]));
        return;
      }
      const frame = JSON.parse(text) as { event: string; data?: string };
      if (frame.event === 'pusher:connection_established') {
        const socketId = (JSON.parse(frame.data ?? '{}') as { socket_id: string }).socket_id;
        for (const channel of channels) {
          const auth = channel.startsWith('private-') && args.sign ? channelAuth(args.sign, socketId, channel) : undefined;
          ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel, ...(auth ? { auth } : {}) } }));
        }
        if (pending === 0) resolve();
      } else if (frame.event === 'pusher_internal:subscription_succeeded') {
        if (--pending === 0) resolve();
      } else if (frame.event === 'pusher:ping') ws.send('{"event":"pusher:pong","data":{}}');
      else if (frame.event === 'pusher:error' || frame.event === 'pusher:subscription_error') {
        noteError(text.slice(0, 200));
        reject(new Error(`subscribe failed: ${text.slice(0, 200)}`));
      }
    });
    ws.on('open', () => sockets.add(ws));
    ws.on('error', (error) => {
      noteError(error.message);
      reject(error);
    });
    ws.on('close', (code) => {
      sockets.delete(ws);
      if (pending > 0) reject(new Error(`closed ${code} before subscribing`));
    });
  });
}

async function connect(args: ConnectArgs): Promise<{ open: number }> {
  marker = `"event":"${args.event}"`;
  let next = 0;
  const lane = async () => {
    while (next < args.channels.length) {
      const channels = args.channels[next++] as string[];
      await openOne(args, channels);
    }
  };
  await withTimeout(Promise.all(Array.from({ length: args.concurrency }, lane)), args.timeoutMs, `connecting ${args.channels.length} sockets`);
  return { open: sockets.size };
}

/** Closes every socket; those that do not finish the close handshake in time are cut. */
async function closeAll(): Promise<{ open: number }> {
  const closing = [...sockets].map((ws) => new Promise<void>((resolve) => (ws.once('close', () => resolve()), ws.close())));
  await withTimeout(Promise.all(closing), 10_000, 'closing sockets').catch(() => {
    for (const ws of sockets) ws.terminate();
  });
  sockets.clear();
  return { open: 0 };
}

serveRpc({
  connect,
  close: closeAll,
  reset: () => {
    histogram.reset();
    errors.length = 0;
    return true;
  },
  report: (): SubscriberReport => ({ buckets: histogram.buckets, received: histogram.count, open: sockets.size, errors: [...errors] }),
});

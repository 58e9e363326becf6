/**
 * The floor: the least a Pusher-protocol fan-out server must do, on the same `ws` as Parley.
 * connection_established, subscribe (checking private signatures) → subscription_succeeded,
 * ping → pong, and a signed `POST /apps/{id}/events` that sends one encoded frame to every
 * subscriber of each channel. Nothing else: no limits, presence, webhooks, or bus.
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { BENCH_APP, channelAuth, verifyApiRequest } from '../lib/pusher-sign.js';

const channels = new Map<string, Set<WebSocket>>();
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false, maxPayload: 1024 * 1024 });

interface ClientFrame {
  event?: string;
  data?: { channel?: string; auth?: string };
}

function onSocket(ws: WebSocket): void {
  const socketId = `${randomInt(1, 2 ** 40)}.${randomInt(1, 2 ** 40)}`;
  const mine = new Set<string>();
  ws.send(JSON.stringify({ event: 'pusher:connection_established', data: JSON.stringify({ socket_id: socketId, activity_timeout: 30 }) }));
  ws.on('message', (raw) => {
    let frame: ClientFrame;
    try {
      frame = JSON.parse(raw.toString()) as ClientFrame;
    } catch {
      return;
    }
    const channel = frame.data?.channel;
    if (frame.event === 'pusher:ping') ws.send('{"event":"pusher:pong","data":"{}"}');
    else if (frame.event === 'pusher:subscribe' && channel) {
      if (channel.startsWith('private-') && !authorised(socketId, channel, frame.data?.auth)) return;
      let set = channels.get(channel);
      if (!set) channels.set(channel, (set = new Set()));
      set.add(ws);
      mine.add(channel);
      ws.send(JSON.stringify({ event: 'pusher_internal:subscription_succeeded', channel, data: '{}' }));
    } else if (frame.event === 'pusher:unsubscribe' && channel) leave(ws, channel, mine);
  });
  ws.on('close', () => {
    for (const channel of [...mine]) leave(ws, channel, mine);
  });
  ws.on('error', () => undefined);
}

function authorised(socketId: string, channel: string, auth: string | undefined): boolean {
  const expected = Buffer.from(channelAuth(BENCH_APP, socketId, channel));
  const given = Buffer.from(auth ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function leave(ws: WebSocket, channel: string, mine: Set<string>): void {
  mine.delete(channel);
  const set = channels.get(channel);
  set?.delete(ws);
  if (set?.size === 0) channels.delete(channel);
}

function publish(req: IncomingMessage, res: ServerResponse, url: URL, body: string): void {
  if (!verifyApiRequest(BENCH_APP, 'POST', url, body)) {
    res.writeHead(401).end('{"error":"bad signature"}');
    return;
  }
  const event = JSON.parse(body) as { name: string; channels: string[]; data: string };
  for (const channel of event.channels) {
    const set = channels.get(channel);
    if (!set) continue;
    const frame = JSON.stringify({ event: event.name, channel, data: event.data });
    for (const ws of set) ws.send(frame);
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://floor');
  if (req.method === 'GET' && url.pathname === '/up') {
    res.writeHead(200).end('{"status":"ok"}');
    return;
  }
  if (req.method !== 'POST' || url.pathname !== `/apps/${BENCH_APP.id}/events`) {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => publish(req, res, url, Buffer.concat(chunks).toString()));
});

server.on('upgrade', (req, socket, head) => {
  if (!req.url?.startsWith(`/app/${BENCH_APP.key}`)) {
    socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, onSocket);
});

server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.once('SIGTERM', () => process.exit(0));

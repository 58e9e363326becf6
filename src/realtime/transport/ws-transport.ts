import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { PUSHER_CODES } from '../protocol/codes.js';
import { errorFrame, encodeFrame } from '../protocol/frames.js';
import type { RealtimeServer } from '../server/realtime-server.js';

/** Frames above this are cut off by `ws` itself (1009); each app's smaller limit is enforced by the protocol code. */
const HARD_MAX_PAYLOAD = 1024 * 1024;
/** A client that lets this much pile up unread is closed with 4100 so it reconnects later. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const APP_PATH = /^\/app\/([^/]+)\/?$/;

export interface WebSocketTransport {
  close(): Promise<void>;
}

/**
 * Serves the Pusher WebSocket endpoint `/app/{key}` on an HTTP server (the one Fastify listens
 * with, or a standalone one). The only module that knows about `ws`.
 */
export function attachWebSockets(server: Server, realtime: RealtimeServer, logger: Logger): WebSocketTransport {
  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_PAYLOAD, perMessageDeflate: false, clientTracking: false });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = APP_PATH.exec(url.pathname);
    if (!match) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const conn = realtime.open(
        {
          send: (text) => {
            if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
              ws.close(PUSHER_CODES.OVER_CAPACITY, 'Client too slow: send buffer full');
              return;
            }
            ws.send(text);
          },
          close: (code, reason) => ws.close(code, truncate(reason)),
        },
        { appKey: decodeURIComponent(match[1] as string), protocol: url.searchParams.get('protocol'), origin: request.headers.origin },
      );
      if (!conn) return;
      ws.on('message', (data, isBinary) => {
        if (isBinary) {
          ws.send(encodeFrame(errorFrame(PUSHER_CODES.INVALID_MESSAGE, 'Binary frames are not part of the Pusher protocol')));
          return;
        }
        void realtime.receive(conn, data.toString());
      });
      ws.on('pong', () => realtime.touch(conn));
      ws.on('ping', () => realtime.touch(conn));
      ws.on('close', () => void realtime.disconnect(conn));
      ws.on('error', (error) => logger.debug({ err: error, socketId: conn.socketId }, 'websocket error'));
    });
  };

  server.on('upgrade', onUpgrade);
  return {
    close: async () => {
      server.off('upgrade', onUpgrade);
      await realtime.stop();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** WebSocket close reasons are limited to 123 bytes. */
function truncate(reason: string): string {
  return Buffer.byteLength(reason) <= 123 ? reason : `${Buffer.from(reason).subarray(0, 120).toString()}...`;
}

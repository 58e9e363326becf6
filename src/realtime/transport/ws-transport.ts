import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { rateKey } from '../../security/rate-key.js';
import type { AppRegistry } from '../apps.js';
import { PUSHER_CODES } from '../protocol/codes.js';
import { errorFrame } from '../protocol/frames.js';
import type { Socket } from '../server/connection.js';
import type { RealtimeServer } from '../server/realtime-server.js';
import { closeReason, parseUpgradeTarget } from './upgrade-request.js';

/** A client that lets this much pile up unread is closed with 4100 so it reconnects later. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** `maxPayload` for a socket refused at once (unknown app key): it only has to carry a close frame. */
const REFUSAL_MAX_PAYLOAD = 1024;

export interface WebSocketTransport {
  close(): Promise<void>;
}

export interface TransportOptions {
  /**
   * The client's address for the per-address connection cap (the default: the TCP peer). Behind a
   * trusted proxy, pass the function that reads `X-Forwarded-For`. IPv6 addresses count per /64.
   */
  ipOf?: (request: IncomingMessage) => string | undefined;
}

/**
 * Serves the Pusher WebSocket endpoint `/app/{key}` on an HTTP server (the one Fastify listens
 * with, or a standalone one). The only module that knows about `ws`. Nothing a client sends here
 * may throw out of this module: a bad upgrade gets a plain HTTP 400/404, a bad socket is closed,
 * and every other connection keeps serving.
 */
export function attachWebSockets(server: Server, realtime: RealtimeServer, logger: Logger, options: TransportOptions = {}): WebSocketTransport {
  const ipOf = options.ipOf ?? ((request: IncomingMessage) => request.socket.remoteAddress);
  const servers = new PayloadServers(realtime.apps);

  const upgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const target = parseUpgradeTarget(request.url);
    if (!target.ok) {
      refuseUpgrade(socket, target.status);
      return;
    }
    const address = ipOf(request);
    const ip = address === undefined || address === '' ? undefined : rateKey(address);
    const origin = typeof request.headers.origin === 'string' ? request.headers.origin : undefined;
    servers.forKey(target.appKey).handleUpgrade(request, socket, head, (ws) => {
      ws.on('error', (error) => logger.debug({ err: error }, 'websocket error'));
      const conn = realtime.open(socketOf(ws), { appKey: target.appKey, protocol: target.protocol, origin, ip });
      if (!conn) return;
      // ws has already closed with 1007 (invalid UTF-8) or 1009 (over maxPayload) before a bad frame gets here.
      ws.on('message', (data, isBinary) => {
        try {
          if (isBinary) {
            conn.send(errorFrame(PUSHER_CODES.INVALID_MESSAGE, 'Binary frames are not part of the Pusher protocol'));
            return;
          }
          void realtime.receive(conn, data.toString());
        } catch (error) {
          // A bug, not the client's doing; it must still end only this connection.
          logger.error({ err: error, socketId: conn.socketId }, 'handling a frame failed; closing that connection only');
          ws.terminate();
        }
      });
      ws.on('pong', () => realtime.touch(conn));
      ws.on('ping', () => realtime.touch(conn));
      ws.on('close', () => void realtime.disconnect(conn));
    });
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Before anything else: a reset or a handshake error on this socket must not become an uncaught 'error'.
    socket.on('error', (error) => logger.debug({ err: error }, 'websocket upgrade socket error'));
    try {
      upgrade(request, socket, head);
    } catch (error) {
      logger.warn({ err: error, url: String(request.url).slice(0, 200), remoteAddress: request.socket.remoteAddress }, 'websocket upgrade failed; closing that socket only');
      socket.destroy();
    }
  };

  server.on('upgrade', onUpgrade);
  return {
    close: async () => {
      server.off('upgrade', onUpgrade);
      await realtime.stop();
      await servers.close();
    },
  };
}

/**
 * One `WebSocketServer` per distinct `maxPayload`: ws enforces each app's `max_message_size`
 * while reading a frame (1009), so an oversized frame is never buffered.
 */
class PayloadServers {
  private readonly byPayload = new Map<number, WebSocketServer>();

  constructor(private readonly apps: AppRegistry) {}

  forKey(appKey: string): WebSocketServer {
    return this.forPayload(this.apps.findByKey(appKey)?.maxMessageSize ?? REFUSAL_MAX_PAYLOAD);
  }

  private forPayload(maxPayload: number): WebSocketServer {
    let wss = this.byPayload.get(maxPayload);
    if (!wss) {
      wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false });
      this.byPayload.set(maxPayload, wss);
    }
    return wss;
  }

  async close(): Promise<void> {
    await Promise.all([...this.byPayload.values()].map((wss) => new Promise<void>((resolve) => wss.close(() => resolve()))));
  }
}

/** The protocol code's view of a socket; sending or closing a socket that is going away never throws. */
function socketOf(ws: WebSocket): Socket {
  return {
    send: (text) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        ws.close(PUSHER_CODES.OVER_CAPACITY, 'Client too slow: send buffer full');
        return;
      }
      ws.send(text);
    },
    close: (code, reason) => {
      try {
        ws.close(code, closeReason(reason));
      } catch {
        ws.terminate();
      }
    },
  };
}

/** Answers an upgrade that is not a WebSocket for an app with a bare HTTP status, then drops the socket. */
function refuseUpgrade(socket: Duplex, status: 400 | 404): void {
  const text = status === 400 ? 'Bad Request' : 'Not Found';
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

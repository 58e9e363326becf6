import type { AppRegistry, RealtimeApp } from '../apps.js';
import { PUSHER_CODES, type CloseCode } from '../protocol/codes.js';

export interface HandshakeRequest {
  appKey: string;
  /** The `protocol` query parameter. */
  protocol: string | null;
  origin: string | undefined;
  /** The client's address key (IPv6: its /64), when the transport knows it. */
  ip?: string | undefined;
}

export type HandshakeResult = { ok: true; app: RealtimeApp } | { ok: false; code: CloseCode; message: string };

const SUPPORTED = new Set([5, 6, 7]);

/** Decides whether a new WebSocket may join: app known, protocol supported, origin allowed, under the app's and the address's quota. */
export function checkHandshake(
  apps: AppRegistry,
  req: HandshakeRequest,
  connectionsOfApp: (appId: string) => number,
  connectionsFromIp: (appId: string, ip: string) => number = () => 0,
): HandshakeResult {
  const app = apps.findByKey(req.appKey);
  // Refusals name no client text beyond a short prefix: the message is also the close reason (123 bytes at most).
  if (!app) return { ok: false, code: PUSHER_CODES.APP_NOT_FOUND, message: `Application does not exist: ${req.appKey.slice(0, 64)}` };
  if (req.protocol === null || req.protocol === '') return { ok: false, code: PUSHER_CODES.NO_PROTOCOL_VERSION, message: 'No protocol version supplied' };
  if (!/^\d+$/.test(req.protocol)) return { ok: false, code: PUSHER_CODES.INVALID_VERSION, message: 'Invalid version string format' };
  if (!SUPPORTED.has(Number(req.protocol))) return { ok: false, code: PUSHER_CODES.UNSUPPORTED_PROTOCOL, message: `Unsupported protocol version ${req.protocol.slice(0, 16)}` };
  if (req.origin !== undefined && app.allowedOrigins !== '*' && !app.allowedOrigins.includes(req.origin)) {
    return { ok: false, code: PUSHER_CODES.UNAUTHORIZED, message: `Origin not allowed: ${req.origin.slice(0, 100)}` };
  }
  if (app.maxConnections !== null && connectionsOfApp(app.id) >= app.maxConnections) {
    return { ok: false, code: PUSHER_CODES.OVER_CONNECTION_QUOTA, message: 'Application is over connection quota' };
  }
  if (req.ip !== undefined && connectionsFromIp(app.id, req.ip) >= app.maxConnectionsPerIp) {
    return { ok: false, code: PUSHER_CODES.TOO_MANY_CONNECTIONS_FROM_IP, message: `Too many connections from this address (${app.maxConnectionsPerIp})` };
  }
  return { ok: true, app };
}

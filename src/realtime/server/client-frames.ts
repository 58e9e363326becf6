import type { Bus } from '../../scaling/bus.js';
import type { Clock } from '../../time/clock.js';
import { channelKind } from '../channels/channel-kind.js';
import { PUSHER_CODES } from '../protocol/codes.js';
import { appEventFrame, encodeFrame, errorFrame, parseClientFrame, type ClientFrame } from '../protocol/frames.js';
import { userAuth, verifyAuth } from '../protocol/signatures.js';
import type { ChannelEventListener, ChannelManager } from './channel-manager.js';
import type { Connection } from './connection.js';

export interface ClientFramesDeps {
  channels: ChannelManager;
  bus: Bus;
  clock: Clock;
  /** Reports client events to the server's channel event listeners. */
  notify: ChannelEventListener;
}

/** Acts on one admitted text frame of a client: parsed once, then an exhaustive switch on its event. */
export class ClientFrames {
  constructor(private readonly deps: ClientFramesDeps) {}

  async handle(conn: Connection, text: string): Promise<void> {
    if (Buffer.byteLength(text) > conn.app.maxMessageSize) {
      conn.send(errorFrame(PUSHER_CODES.MESSAGE_TOO_LARGE, `Message exceeds the ${conn.app.maxMessageSize}-byte limit`));
      return;
    }
    const parsed = parseClientFrame(text);
    if (!parsed.ok) {
      conn.send(errorFrame(parsed.code, parsed.message));
      return;
    }
    await this.dispatch(conn, parsed.frame);
  }

  private async dispatch(conn: Connection, frame: ClientFrame): Promise<void> {
    switch (frame.event) {
      case 'pusher:ping':
        conn.send({ event: 'pusher:pong', data: {} });
        return;
      case 'pusher:pong':
        return;
      case 'pusher:subscribe':
        return this.deps.channels.subscribe(conn, frame);
      case 'pusher:unsubscribe':
        return this.deps.channels.unsubscribe(conn, frame.channel);
      case 'pusher:signin':
        return this.signin(conn, frame.auth, frame.userData);
      case 'client':
        return this.clientEvent(conn, frame.name, frame.channel, frame.data);
      default: {
        const unreachable: never = frame;
        throw new Error(`Unhandled frame ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private signin(conn: Connection, auth: string, userData: string): void {
    if (!verifyAuth(userAuth(conn.app.key, conn.app.secret, conn.socketId, userData), auth)) {
      conn.send(errorFrame(PUSHER_CODES.UNAUTHORIZED, 'Invalid signature: sign-in is not authorised'));
      return;
    }
    const id = userIdOf(userData);
    if (id === undefined) {
      conn.send(errorFrame(PUSHER_CODES.UNAUTHORIZED, 'user_data must be JSON with a string id'));
      return;
    }
    conn.signIn(id);
    conn.send({ event: 'pusher:signin_success', data: { user_data: userData } });
  }

  private async clientEvent(conn: Connection, name: string, channel: string, data: unknown): Promise<void> {
    const kind = channelKind(channel);
    const policy = conn.app.clientEvents;
    const allowedHere = kind.auth === 'presence' || (kind.auth === 'private' && policy === 'all');
    if (policy === 'none' || !allowedHere || kind.encrypted || kind.serverToUser) {
      conn.send(errorFrame(PUSHER_CODES.CLIENT_EVENT_REJECTED, `Client events are not allowed on ${channel}`));
      return;
    }
    if (!conn.channels.has(channel)) {
      conn.send(errorFrame(PUSHER_CODES.CLIENT_EVENT_REJECTED, `Subscribe to ${channel} before sending client events`));
      return;
    }
    if (!conn.allowClientEvent(this.deps.clock.now())) {
      conn.send(errorFrame(PUSHER_CODES.CLIENT_EVENT_RATE_LIMITED, `Client event rejected: more than ${conn.app.clientEventRate} per second`));
      return;
    }
    const userId = conn.userIn(channel);
    const payload = typeof data === 'string' ? data : JSON.stringify(data ?? {});
    const frame = encodeFrame(appEventFrame(name, channel, payload, userId));
    await this.deps.bus.publish({ type: 'channel', appId: conn.app.id, channel, except: conn.socketId, frame });
    this.deps.notify(conn.app.id, { name: 'client_event', channel, event: name, data: payload, socket_id: conn.socketId, ...(userId ? { user_id: userId } : {}) });
  }
}

/** The string `id` of `pusher:signin` user_data, or undefined when it has none. */
function userIdOf(userData: string): string | undefined {
  try {
    const id = (JSON.parse(userData) as { id?: unknown }).id;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}

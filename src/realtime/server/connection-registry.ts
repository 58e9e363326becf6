import type { Connection } from './connection.js';
import { addressKey, CounterMap } from './counter-map.js';

/** This node's open connections by socket id, counted per app and per app and client address for the handshake quotas. */
export class ConnectionRegistry {
  private readonly bySocketId = new Map<string, Connection>();
  private readonly perApp = new CounterMap();
  private readonly perIp = new CounterMap();

  get size(): number {
    return this.bySocketId.size;
  }

  ofApp(appId: string): number {
    return this.perApp.get(appId);
  }

  fromIp(appId: string, ip: string): number {
    return this.perIp.get(addressKey(appId, ip));
  }

  get(socketId: string): Connection | undefined {
    return this.bySocketId.get(socketId);
  }

  add(conn: Connection): void {
    this.bySocketId.set(conn.socketId, conn);
    this.perApp.increment(conn.app.id);
    if (conn.ip !== undefined) this.perIp.increment(addressKey(conn.app.id, conn.ip));
  }

  /** Forgets a connection; false when it was already gone (a close and a disconnect may both report it). */
  remove(conn: Connection): boolean {
    if (!this.bySocketId.delete(conn.socketId)) return false;
    this.perApp.decrement(conn.app.id);
    if (conn.ip !== undefined) this.perIp.decrement(addressKey(conn.app.id, conn.ip));
    return true;
  }

  /** A snapshot: closing connections while walking it is safe. */
  all(): Connection[] {
    return [...this.bySocketId.values()];
  }
}

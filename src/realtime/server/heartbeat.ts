import type { Connection } from './connection.js';

/** How long a pinged client has to answer before it is closed with 4201. */
export const PONG_TIMEOUT_MS = 30_000;

/** What the heartbeat sweep does to a connection now: ping after `activity_timeout` of silence, give up on an unanswered ping. */
export function heartbeatDue(conn: Pick<Connection, 'app' | 'lastSeen' | 'pingSentAt'>, now: number): 'ping' | 'timeout' | undefined {
  if (conn.pingSentAt !== undefined) return now - conn.pingSentAt >= PONG_TIMEOUT_MS ? 'timeout' : undefined;
  return now - conn.lastSeen >= conn.app.activityTimeout * 1000 ? 'ping' : undefined;
}

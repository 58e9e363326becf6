/** A Pusher event as pusher-js's `connection.bind('message', …)` hands it, with the server-set `user_id`. */
export interface PusherMessage {
  event: string;
  channel?: string;
  data?: unknown;
  user_id?: string;
}

/** Who sent a typing whisper, as far as the page can tell. */
export type TypingSender = 'visitor' | 'agent' | 'unknown';

/**
 * The sender of a `client-typing` whisper on a conversation channel. Parley's realtime server sets
 * `user_id` (`visitor` or `agent:{id}`) from the signed subscription, so a visitor can never pass
 * for an agent whatever the whisper says; only without it (hosted Pusher, or a host page's Echo)
 * does the whisper's own `from` count (docs/realtime.md, "Who sent a client event").
 */
export function typingSender(userId: string | undefined, claimed: string | undefined): TypingSender {
  if (userId === undefined) return claimed === 'agent' ? 'agent' : claimed === 'visitor' ? 'visitor' : 'unknown';
  if (userId === 'visitor') return 'visitor';
  return userId.startsWith('agent:') ? 'agent' : 'unknown';
}

/** The agent id in a server-set `user_id` (`agent:{id}`), if it is one. */
export function agentIdOf(userId: string | undefined): number | undefined {
  const match = userId === undefined ? null : /^agent:(\d+)$/.exec(userId);
  return match ? Number(match[1]) : undefined;
}

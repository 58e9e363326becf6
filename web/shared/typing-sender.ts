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

/** What `bindTyping` needs of pusher-js's connection. */
export interface MessageSource {
  bind(event: 'message', callback: (message: PusherMessage) => void): unknown;
}

/**
 * Calls `handler` with each `client-typing` whisper on the channel `current()` names, with its
 * sender settled by `typingSender`. Read off the connection's 'message' event: only there does
 * pusher-js hand over a private channel's server-set `user_id`.
 */
export function bindTyping<T extends { from?: string }>(
  connection: MessageSource,
  current: () => string | undefined,
  handler: (data: T & { from: 'visitor' | 'agent' }) => void,
): void {
  connection.bind('message', (message) => {
    if (message.event !== 'client-typing' || message.channel === undefined || message.channel !== current()) return;
    const data = (message.data ?? {}) as T;
    const from = typingSender(message.user_id, data.from);
    if (from !== 'unknown') handler({ ...data, from });
  });
}

/* eslint-disable no-console -- the widget's console lines are part of its contract (docs/widget.md, "Troubleshooting"). */

/** Console output: the two lines the seed's guide tells people to look for, and debug lines with `data-debug`. */
export interface Log {
  subscribed(conversationId: number): void;
  resumed(conversation: unknown): void;
  debug(...args: unknown[]): void;
  warn(...args: unknown[]): void;
}

export function createLog(debug: boolean): Log {
  return {
    subscribed: (id) => console.log('Subscribed to conversation.' + id),
    resumed: (conversation) => console.log('Conversation resumed:', conversation),
    debug: debug ? (...args) => console.debug('[parley]', ...args) : () => undefined,
    warn: (...args) => console.warn('[parley]', ...args),
  };
}

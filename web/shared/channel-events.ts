/**
 * Binding the contract's server events, without pusher-js: handler maps typed by the chat's
 * realtime contract (docs/realtime.md, "Chat channels and events"), so DOM-free code and tests
 * can name them without loading the client.
 */
import type { ChannelKind, EventsOf } from '../../src/chat/realtime-contract.js';

/** pusher-js connection states. */
export type LinkState = 'initialized' | 'connecting' | 'connected' | 'unavailable' | 'failed' | 'disconnected';

/** A handler for every server event of a channel kind: a new event in the contract fails to compile until handled. */
export type EventHandlers<K extends ChannelKind> = { [E in keyof EventsOf<K>]: (data: EventsOf<K>[E]) => void };

/** What `bindEvents` needs of a channel: pusher-js's `bind`, or an adapter over Echo's `listen`. */
export interface Bindable {
  bind(event: string, callback: (data: never) => void): unknown;
}

/** Binds one handler per contract event of channel kind `K`, each handed that event's payload type. */
export function bindEvents<K extends ChannelKind>(channel: Bindable, _kind: K, handlers: EventHandlers<K>): void {
  for (const event of Object.keys(handlers) as (keyof EventsOf<K> & string)[]) channel.bind(event, handlers[event] as (data: never) => void);
}

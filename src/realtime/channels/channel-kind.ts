/** What a channel's name makes it: who may subscribe, whether members are tracked, whether the last event is cached. */
export interface ChannelKind {
  auth: 'none' | 'private' | 'presence';
  encrypted: boolean;
  cache: boolean;
  /** `#server-to-user-{id}`: only the signed-in user's own connections. */
  serverToUser: boolean;
}

export const SERVER_TO_USER_PREFIX = '#server-to-user-';

/** Classifies a channel by its prefix, as Pusher does. */
export function channelKind(name: string): ChannelKind {
  if (name.startsWith(SERVER_TO_USER_PREFIX)) return { auth: 'none', encrypted: false, cache: false, serverToUser: true };
  if (name.startsWith('private-encrypted-cache-')) return { auth: 'private', encrypted: true, cache: true, serverToUser: false };
  if (name.startsWith('private-encrypted-')) return { auth: 'private', encrypted: true, cache: false, serverToUser: false };
  if (name.startsWith('private-cache-')) return { auth: 'private', encrypted: false, cache: true, serverToUser: false };
  if (name.startsWith('presence-cache-')) return { auth: 'presence', encrypted: false, cache: true, serverToUser: false };
  if (name.startsWith('private-')) return { auth: 'private', encrypted: false, cache: false, serverToUser: false };
  if (name.startsWith('presence-')) return { auth: 'presence', encrypted: false, cache: false, serverToUser: false };
  if (name.startsWith('cache-')) return { auth: 'none', encrypted: false, cache: true, serverToUser: false };
  return { auth: 'none', encrypted: false, cache: false, serverToUser: false };
}

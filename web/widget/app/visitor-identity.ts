import type { KeyValueStore } from '../../shared/key-value-store.js';
import type { VisitorIdentityInput } from '../shared.js';
import { KEYS } from './storage.js';

/** The host site's user the stored conversation belongs to ('' or absent: an anonymous visitor). */
const USER_KEY = 'chat_user_id';

/** `window.Parley('reset')`: forgets this device's conversation, token, unsent messages and user. */
export function forgetDevice(store: Pick<KeyValueStore, 'removeItem'>): void {
  for (const key of [KEYS.conversationId, KEYS.token, KEYS.outbox, KEYS.lastSeq, USER_KEY]) store.removeItem(key);
}

/**
 * The verified visitor the widget speaks for (docs/identity.md). The token is kept in memory only:
 * the page passes it again on every load. When the user changes (another login, a logout), what
 * this device stored for the previous one is forgotten, so one user never sees another's chat.
 */
export class VisitorIdentity {
  private current: VisitorIdentityInput | undefined;

  constructor(
    private readonly store: KeyValueStore,
    initial: VisitorIdentityInput | undefined,
    private readonly switched: () => void,
  ) {
    this.current = initial?.token ? initial : undefined;
    this.claim();
  }

  /** Sent as `identity_token` and `X-Parley-Identity`. */
  get token(): string | undefined {
    return this.current?.token;
  }

  /** The server answered `identity_invalid`: continue as an anonymous visitor. */
  drop(): void {
    this.current = undefined;
  }

  /** `identify` (or `init` with another identity): a different user starts afresh on this device. */
  set(next: VisitorIdentityInput | undefined): void {
    this.current = next?.token ? next : undefined;
    if (this.claim()) this.switched();
  }

  /** Logout on the host site. */
  reset(): void {
    this.current = undefined;
    forgetDevice(this.store);
    this.switched();
  }

  /** Forgets what was stored for another user; answers whether it did. Writes nothing for an anonymous visitor with nothing stored. */
  private claim(): boolean {
    const owner = this.store.getItem(USER_KEY) ?? '';
    const id = this.current ? this.current.id || '?' : '';
    if (owner === id) return false;
    forgetDevice(this.store);
    if (id) this.store.setItem(USER_KEY, id);
    return true;
  }
}

import type { KeyValueStore } from '../shared/key-value-store.js';

/** Sound and desktop notifications, each switched by the agent and remembered in localStorage. */
export interface NotifySettings {
  sound: boolean;
  desktop: boolean;
}

const KEY = 'parley.notify';

export function loadNotifySettings(store: KeyValueStore): NotifySettings {
  try {
    const saved = JSON.parse(store.getItem(KEY) ?? '{}') as Partial<NotifySettings>;
    return { sound: saved.sound !== false, desktop: saved.desktop === true };
  } catch {
    return { sound: true, desktop: false };
  }
}

export function saveNotifySettings(store: KeyValueStore, settings: NotifySettings): void {
  store.setItem(KEY, JSON.stringify(settings));
}

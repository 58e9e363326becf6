import type { KeyValueStore } from '../shared/key-value-store.js';

/** `localStorage` or `sessionStorage` that never throws: blocked storage or a full quota leaves the value unsaved (private mode). */
export function browserStore(storage: () => Storage): KeyValueStore {
  const attempt = <T>(action: () => T, fallback: T): T => {
    try {
      return action();
    } catch {
      return fallback;
    }
  };
  return {
    getItem: (key) => attempt(() => storage().getItem(key), null),
    setItem: (key, value) => attempt(() => storage().setItem(key, value), undefined),
    removeItem: (key) => attempt(() => storage().removeItem(key), undefined),
  };
}

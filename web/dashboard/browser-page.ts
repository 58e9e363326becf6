import { askDesktopPermission, chime, desktopNotify } from './notify.js';
import type { Notifier, PageSignals } from './session/page-signals.js';

/** The page's `visibilitychange`, `focus`, `online` and `offline` events. */
export const browserPage: PageSignals = {
  visible: () => document.visibilityState === 'visible',
  online: () => navigator.onLine !== false,
  listen(handlers) {
    const visibility = () => handlers.visibility(document.visibilityState === 'visible');
    const focus = () => handlers.focus();
    const up = () => handlers.network(true);
    const down = () => handlers.network(false);
    document.addEventListener('visibilitychange', visibility);
    addEventListener('focus', focus);
    addEventListener('online', up);
    addEventListener('offline', down);
    return () => {
      document.removeEventListener('visibilitychange', visibility);
      removeEventListener('focus', focus);
      removeEventListener('online', up);
      removeEventListener('offline', down);
    };
  },
};

export const browserNotifier: Notifier = { chime, desktop: desktopNotify, askDesktopPermission };

import { ALLOWED_TYPES } from '../chat/attachments/file-policy.js';
import type { AvailabilityState } from '../chat/availability.js';
import type { ChatSettingsDto, WidgetConfig } from '../chat/dto.js';
import type { Config } from '../config/config.js';

export type { WidgetConfig };

/**
 * The client half of the broadcasting configuration, with who can answer and the admin's chat
 * settings. `realtime` is false while no WebSocket server is reachable for the configured
 * driver, and the widget then polls.
 */
export function widgetConfig(config: Config, state: { realtime: boolean; availability: AvailabilityState; settings: ChatSettingsDto }): WidgetConfig {
  const { driver, reverb, pusher } = config.broadcast;
  const { availability, settings } = state;
  const base = {
    authEndpoint: `${config.http.appUrl}/broadcasting/auth`,
    agents_online: availability.agentsOnline,
    available: availability.available,
    next_available_at: availability.nextAvailableAt,
    away_message: settings.away_message,
    offline_mode: settings.offline_mode,
    greeting: settings.greeting,
    color: settings.color,
    attachments: { max_bytes: config.attachments.maxBytes, types: [...ALLOWED_TYPES] },
  };
  if (state.realtime && driver === 'reverb') {
    return { ...base, broadcaster: 'reverb', key: reverb.key, wsHost: reverb.host, wsPort: reverb.port, wssPort: reverb.port, forceTLS: reverb.scheme === 'https', cluster: null };
  }
  if (state.realtime && driver === 'pusher') {
    const tls = (pusher.scheme ?? 'https') === 'https';
    return {
      ...base,
      broadcaster: 'pusher',
      key: pusher.key ?? null,
      wsHost: pusher.host ?? `ws-${pusher.cluster}.pusher.com`,
      wsPort: pusher.port ?? 80,
      wssPort: pusher.port ?? 443,
      forceTLS: tls,
      cluster: pusher.cluster,
    };
  }
  return { ...base, broadcaster: null, key: null, wsHost: null, wsPort: null, wssPort: null, forceTLS: false, cluster: null };
}

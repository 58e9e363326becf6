import { realClock } from '../shared/clock.js';
import { httpAgentApi } from './agent-api.js';
import { browserNotifier, browserPage } from './browser-page.js';
import { browserStore } from './browser-store.js';
import { connectAgentLink } from './realtime.js';
import { navigate } from './router.js';
import { DashboardSession } from './session/dashboard-session.js';
import type { Agent } from './types.js';

/** A random `client_message_id` for a reply: a UUID where the browser makes one. */
function newClientMessageId(): string {
  const random = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `agent-${random}`;
}

/** The session over the real browser: fetch, pusher-js, the page's storage, timers and events. */
export function browserSession(agent: Agent): DashboardSession {
  return new DashboardSession({
    agent,
    api: httpAgentApi,
    connect: connectAgentLink,
    clock: realClock,
    tabStore: browserStore(() => sessionStorage),
    settingsStore: browserStore(() => localStorage),
    page: browserPage,
    notifier: browserNotifier,
    navigate,
    newId: newClientMessageId,
    // eslint-disable-next-line no-console -- the seed's manual test looks for this line
    log: (line, message) => console.log(line, message),
  });
}

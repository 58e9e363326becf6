import { useMemo, useState } from 'preact/hooks';
import { realClock } from '../../shared/clock.js';
import { openConversation, type DashboardState } from '../session/session-state.js';
import type { Agent } from '../types.js';
import { httpCannedApi } from './canned-api.js';
import type { CannedContextValue } from './canned-context.js';
import { CannedLibrary } from './canned-library.js';

/** The dashboard's canned responses (one library per logged-in agent) and the open conversation's variables. */
export function useCannedContext(agent: Pick<Agent, 'name'>, state: DashboardState): CannedContextValue {
  const [library] = useState(() => new CannedLibrary({ api: httpCannedApi, clock: realClock }));
  const open = openConversation(state);
  const name = open?.visitor_name ?? null;
  const email = open?.visitor_email ?? null;
  return useMemo(() => ({ library, variables: { visitor: { name, email }, agent: { name: agent.name } } }), [library, name, email, agent.name]);
}

import { useEffect, useState } from 'preact/hooks';
import type { DashboardSession } from './session/dashboard-session.js';
import type { DashboardState } from './session/session-state.js';

/** The session's state, re-rendering on each change. */
export function useSessionState(session: DashboardSession): DashboardState {
  const [state, setState] = useState(session.state);
  useEffect(() => {
    setState(session.state);
    return session.subscribe(setState);
  }, [session]);
  return state;
}

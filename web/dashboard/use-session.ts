import { useEffect, useState } from 'preact/hooks';

/** Anything holding a state and telling about each change: the dashboard session, the settings form. */
export interface Observable<S> {
  readonly state: S;
  subscribe(listener: (state: S) => void): () => void;
}

/** The session's (or a form's) state, re-rendering on each change. */
export function useSessionState<S>(source: Observable<S>): S {
  const [state, setState] = useState(source.state);
  useEffect(() => {
    setState(source.state);
    return source.subscribe(setState);
  }, [source]);
  return state;
}

import { useEffect, useState } from 'preact/hooks';
import { listLabels, type Label } from './labels-api.js';

const CHANGED = 'parley:labels-changed';

/** Tells every label list on the page to read the labels again (after an admin creates or deletes one). */
export const labelsChanged = (): void => void dispatchEvent(new Event(CHANGED));

/** The labels every agent may apply; read on mount and whenever they change on this page. */
export function useLabels(): { labels: Label[]; loaded: boolean } {
  const [state, setState] = useState<{ labels: Label[]; loaded: boolean }>({ labels: [], loaded: false });
  useEffect(() => {
    let live = true;
    const load = () =>
      void listLabels().then((res) => {
        if (live && res.ok) setState({ labels: res.data.labels, loaded: true });
      });
    load();
    addEventListener(CHANGED, load);
    return () => {
      live = false;
      removeEventListener(CHANGED, load);
    };
  }, []);
  return state;
}

import { useRef, useState } from 'preact/hooks';
import type { Conversation } from '../types.js';
import { setConversationLabels } from './labels-api.js';
import { sameLabel, toggled } from './label-color.js';
import { useLabels } from './use-labels.js';

/**
 * Applies and removes labels on the open conversation (docs/dashboard.md, "Labels"): one checkbox
 * per label. Every agent's dashboard shows the change through `ConversationUpdated`.
 */
export function LabelEditor({ conversation }: { conversation: Conversation }) {
  const { labels, loaded } = useLabels();
  const [error, setError] = useState('');
  // Shown at once and kept until the conversation's labels change on the server (its ConversationUpdated arrives).
  const [shown, setShown] = useState<{ id: number; base: string; names: string[] } | null>(null);
  // One request at a time, in the order of the clicks: each sends the whole set as it stands.
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const base = conversation.labels.map((l) => l.name).join('\n');
  const current = shown && shown.id === conversation.id && shown.base === base ? shown.names : conversation.labels.map((l) => l.name);

  const toggle = (name: string, on: boolean) => {
    const names = toggled(current, name, on);
    setShown({ id: conversation.id, base, names });
    setError('');
    queue.current = queue.current.then(async () => {
      const res = await setConversationLabels(conversation.id, names);
      if (!res.ok) {
        setShown(null);
        setError(`Labels not saved: ${res.error.message}`);
      }
    });
  };

  return (
    <fieldset class="label-editor" data-parley="label-editor">
      <legend>Labels</legend>
      {loaded && labels.length === 0 && <p class="muted">No labels yet: an admin creates them on the Labels page.</p>}
      {labels.map((l) => (
        <label key={l.id} class="label-option">
          <input type="checkbox" checked={current.some((n) => sameLabel(n, l.name))} onChange={(e) => toggle(l.name, e.currentTarget.checked)} />
          {' '}
          {l.name}
        </label>
      ))}
      {error && <p class="error" role="alert">{error}</p>}
    </fieldset>
  );
}

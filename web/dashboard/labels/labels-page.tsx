import { useState } from 'preact/hooks';
import type { Agent } from '../types.js';
import { LabelChips } from './label-chips.js';
import { createLabel, deleteLabel } from './labels-api.js';
import { labelsChanged, useLabels } from './use-labels.js';

/** `/stratus/labels`: every agent sees the labels; admins create and delete them (docs/dashboard.md, "Labels"). */
export function LabelsPage({ self }: { self: Pick<Agent, 'role'> }) {
  const { labels, loaded } = useLabels();
  const [name, setName] = useState('');
  const [color, setColor] = useState('#2f5bea');
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const admin = self.role === 'admin';

  const submit = async (event: Event) => {
    event.preventDefault();
    setError('');
    const res = await createLabel(name.trim(), color);
    if (!res.ok) {
      setError(res.error.fields?.name ? `Name ${res.error.fields.name}.` : res.error.message);
      return;
    }
    setName('');
    setStatus(`Label ${res.data.label.name} created.`);
    labelsChanged();
  };
  const remove = async (id: number, labelName: string) => {
    const res = await deleteLabel(id);
    if (res.ok) setStatus(`Label ${labelName} deleted.`);
    else setError(res.error.message);
    labelsChanged();
  };

  return (
    <main class="page labels-page" id="main" aria-labelledby="labels-title">
      <h1 id="labels-title">Labels</h1>
      <p class="muted">Agents apply labels to conversations from the visitor panel, and filter the inbox by them.</p>
      {loaded && labels.length === 0 && <p class="muted">No labels yet.</p>}
      <ul class="label-list" data-parley="label-list">
        {labels.map((l) => (
          <li key={l.id}>
            <LabelChips labels={[l]} />
            {admin && <button type="button" class="ghost" onClick={() => void remove(l.id, l.name)} aria-label={`Delete label ${l.name}`}>Delete</button>}
          </li>
        ))}
      </ul>
      {admin && (
        <form class="label-form" onSubmit={(e) => void submit(e)} aria-labelledby="new-label-title">
          <h2 id="new-label-title">New label</h2>
          <label for="label-name">Name</label>
          <input id="label-name" value={name} maxLength={40} required aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'label-error' : undefined} onInput={(e) => setName(e.currentTarget.value)} />
          <label for="label-color">Colour</label>
          <input id="label-color" type="color" value={color} onInput={(e) => setColor(e.currentTarget.value)} />
          <button type="submit" class="primary">Create label</button>
          <p id="label-error" class="error" role="alert">{error}</p>
        </form>
      )}
      <p class="sr-only" role="status">{status}</p>
    </main>
  );
}

import { useLabels } from './use-labels.js';

/** The inbox's label filter: every label, or only conversations carrying one. */
export function LabelFilter({ value, onChange }: { value: string | undefined; onChange(label: string | undefined): void }) {
  const { labels } = useLabels();
  if (labels.length === 0 && value === undefined) return null;
  return (
    <div class="filters label-filter">
      <label for="label-filter">Label</label>
      <select id="label-filter" data-parley="label-filter" value={value ?? ''} onChange={(e) => onChange(e.currentTarget.value || undefined)}>
        <option value="">All labels</option>
        {labels.map((l) => (
          <option key={l.id} value={l.name}>{l.name}</option>
        ))}
      </select>
    </div>
  );
}

import type { LabelChipDto } from '../../../src/chat/dto.js';
import { chipColors } from './label-color.js';

/** A conversation's labels as coloured chips (text only: names are never HTML). */
export function LabelChips({ labels }: { labels: readonly LabelChipDto[] }) {
  if (labels.length === 0) return null;
  return (
    <ul class="chips" aria-label="Labels" data-parley="labels">
      {labels.map((l) => {
        const colors = chipColors(l.color);
        return (
          <li key={l.name} class="chip" data-parley="label" style={colors ?? undefined}>
            {l.name}
          </li>
        );
      })}
    </ul>
  );
}

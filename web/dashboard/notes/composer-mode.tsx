/** Whether the composer writes a reply to the visitor or an internal note (docs/dashboard.md, "Internal notes"). */
export type ComposerMode = 'reply' | 'note';

export const NOTE_LABEL_ID = 'note-mode-label';

interface Props {
  mode: ComposerMode;
  onMode(mode: ComposerMode): void;
}

/** "Reply | Note": two toggle buttons; in Note mode a label says who will see the text. */
export function ComposerModeSwitch({ mode, onMode }: Props) {
  return (
    <div class="composer-mode">
      <div class="mode-switch" role="group" aria-label="Write a reply or an internal note">
        <button type="button" aria-pressed={mode === 'reply'} data-parley="reply-mode" onClick={() => onMode('reply')}>Reply</button>
        <button type="button" aria-pressed={mode === 'note'} data-parley="note-mode" onClick={() => onMode('note')}>Note</button>
      </div>
      {mode === 'note' && (
        <span class="note-label" id={NOTE_LABEL_ID} data-parley="note-label">
          Internal note — only agents see this
        </span>
      )}
    </div>
  );
}

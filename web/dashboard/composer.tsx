import { useState } from 'preact/hooks';
import { useCannedPicker } from './canned/canned-picker.js';
import { ComposerModeSwitch, NOTE_LABEL_ID, type ComposerMode } from './notes/composer-mode.js';
import { filesOf, stageFiles } from './attachments/stage-files.js';
import type { AttachmentTray, StagedFile } from './attachments/tray.js';
import { AttachButton, TrayStrip, useStaged } from './attachments/tray-strip.js';

interface Props {
  draft: string;
  closed: boolean;
  /** `note`: the text is an internal note, so the visitor is not told "Agent is typing…". */
  onInput(value: string, note?: boolean): void;
  /** Sends the draft with the staged files (docs/dashboard.md, "Attachments"). */
  onSend(files: StagedFile[]): void;
  /** Files picked, dropped or pasted wait here until sent; without it there is no Attach. */
  tray?: AttachmentTray;
  conversationId: number;
  /** Saves the draft as an internal note; without it there is no Note mode. */
  onNote?(): void;
}

/** The reply box: Enter sends, Shift+Enter adds a line. */
export function Composer({ draft, closed, onInput, onSend, onNote, tray, conversationId }: Props) {
  // "Reply | Note" (docs/dashboard.md, "Internal notes").
  const [mode, setMode] = useState<ComposerMode>('reply');
  const note = mode === 'note' && onNote !== undefined;
  const staged = useStaged(tray, conversationId);
  const submit = () => (note ? onNote() : onSend(tray?.take(conversationId) ?? []));
  // `/shortcut` lists canned responses (docs/dashboard.md, "Canned responses").
  const canned = useCannedPicker(draft, (value) => onInput(value, note));
  return (
    <form
      class={note ? 'composer note' : 'composer'}
      data-mode={mode}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      {onNote && <ComposerModeSwitch mode={mode} onMode={setMode} />}
      {canned.view}
      {tray && <TrayStrip files={staged} onRemove={(key) => tray.remove(conversationId, key)} />}
      <textarea
        {...canned.inputProps}
        aria-label={note ? 'Internal note' : 'Reply'}
        aria-describedby={note ? NOTE_LABEL_ID : undefined}
        data-parley="reply"
        rows={3}
        maxLength={5000}
        placeholder={note ? 'Write a note for agents… (Enter saves)' : closed ? 'Reopen the conversation to reply' : 'Write a reply… (Enter sends, Shift+Enter for a new line)'}
        value={draft}
        onInput={(e) => {
          onInput(e.currentTarget.value, note);
          canned.onCaret(e.currentTarget);
        }}
        onPaste={(e) => {
          const files = filesOf(e.clipboardData);
          if (!tray || note || files.length === 0) return;
          e.preventDefault();
          stageFiles(tray, conversationId, files);
        }}
        onKeyDown={(e) => {
          if (canned.onKeyDown(e)) return;
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            submit();
          }
        }}
      />
      {tray && !note && <AttachButton tray={tray} conversationId={conversationId} />}
      <button type="submit" class="primary" disabled={!draft.trim() && (note || staged.length === 0)}>{note ? 'Add note' : 'Send'}</button>
    </form>
  );
}

interface Props {
  draft: string;
  closed: boolean;
  onInput(value: string): void;
  onSend(): void;
}

/** The reply box: Enter sends, Shift+Enter adds a line. */
export function Composer({ draft, closed, onInput, onSend }: Props) {
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        onSend();
      }}
    >
      <textarea
        aria-label="Reply"
        data-parley="reply"
        rows={3}
        maxLength={5000}
        placeholder={closed ? 'Reopen the conversation to reply' : 'Write a reply… (Enter sends, Shift+Enter for a new line)'}
        value={draft}
        onInput={(e) => onInput(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            onSend();
          }
        }}
      />
      <button type="submit" class="primary" disabled={!draft.trim()}>Send</button>
    </form>
  );
}

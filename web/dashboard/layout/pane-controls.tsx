import { goUp, navigate } from '../router.js';
import { visitorPath } from './pane.js';

/**
 * The controls that move between the phone's panes (docs/dashboard.md, "On a phone"). They exist
 * on every screen but show only at phone widths (`.phone-only` in style.css), where one pane is
 * shown at a time.
 */

/** Back to the pane above: "Back to inbox" from a conversation, "Back to conversation" from visitor info. */
export function PaneBack({ to, where }: { to: string; where: string }) {
  return (
    <button type="button" class="pane-back phone-only" data-parley="pane-back" onClick={() => goUp(to)}>
      <span aria-hidden="true">‹ </span>Back<span class="sr-only"> to {where}</span>
    </button>
  );
}

/** Opens the visitor info pane from the conversation's header. */
export function VisitorInfoButton({ conversationId }: { conversationId: number }) {
  return (
    <button type="button" class="visitor-info phone-only" data-parley="visitor-info" onClick={() => navigate(visitorPath(conversationId))}>
      Visitor info
    </button>
  );
}

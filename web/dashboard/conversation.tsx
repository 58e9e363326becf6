import type { ConversationAction } from './agent-api.js';
import { Composer } from './composer.js';
import { unacknowledged } from './session/reply-outbox.js';
import { openConversation, openTranscript, type DashboardState } from './session/session-state.js';
import { TranscriptLog } from './transcript-log.js';
import { LabelChips } from './labels/label-chips.js';
import { RatingSummary } from './ratings/rating-summary.js';
import { PaneBack, VisitorInfoButton } from './layout/pane-controls.js';
import type { Agent } from './types.js';
import { VisitorPanel } from './visitor-panel.js';
import type { AttachmentTray, StagedFile } from './attachments/tray.js';
import { stageFiles } from './attachments/stage-files.js';
import { useFileDrop } from './attachments/use-file-drop.js';

/** What the conversation view asks of the session. */
export interface ConversationActions {
  act(action: ConversationAction): Promise<void>;
  input(value: string, note?: boolean): void;
  send(files?: readonly StagedFile[]): void;
  /** Saves the draft as an internal note (docs/dashboard.md, "Internal notes"). */
  sendNote(): Promise<void>;
  retry(clientMessageId: string): void;
}

interface Props {
  agent: Agent;
  state: DashboardState;
  actions: ConversationActions;
  /** Files to send, per conversation (docs/dashboard.md, "Attachments"). */
  tray?: AttachmentTray;
}

/** The main column: the open conversation's transcript, composer and actions, and the visitor panel. */
export function ConversationView({ agent, state, actions, tray }: Props) {
  const conversation = openConversation(state);
  const id = conversation?.id;
  const drop = useFileDrop(tray && id !== undefined ? (files) => stageFiles(tray, id, files) : null);
  const transcript = openTranscript(state);
  if (state.selected === null) {
    return (
      <main class="conversation empty-state" id="main">
        <p>Select a conversation from the inbox.</p>
      </main>
    );
  }
  if (!conversation) {
    return (
      <main class="conversation empty-state" id="main">
        <p>{transcript?.loaded ? 'This conversation does not exist.' : 'Loading…'}</p>
      </main>
    );
  }

  const messages = transcript?.messages ?? [];
  const mine = conversation.assigned_agent_id === agent.id;
  const closed = conversation.status === 'closed';
  const name = conversation.visitor_name || `Visitor #${conversation.id}`;
  const act = (action: ConversationAction) => () => void actions.act(action);

  return (
    <>
      <main class="conversation" id="main" aria-labelledby="conversation-title" {...drop.handlers}>
        {drop.hint}
        <header class="conversation-head">
          <PaneBack to="/stratus" where="inbox" />
          <div>
            <h1 id="conversation-title">{name}</h1>
            <p class="muted">
              <span class={`status ${conversation.status}`} data-parley="conversation-status">{closed ? 'Closed' : 'Open'}</span>
              {' · '}
              {conversation.agent ? `Assigned to ${conversation.agent.name}` : 'Unassigned'}
            </p>
            <LabelChips labels={conversation.labels ?? []} />
            <RatingSummary rating={conversation.rating ?? null} />
          </div>
          <div class="actions">
            <VisitorInfoButton conversationId={conversation.id} />
            {mine ? (
              <button type="button" disabled={state.busy} onClick={act('unassign')}>Unassign</button>
            ) : (
              <button type="button" disabled={state.busy} onClick={act('assign')}>Assign to me</button>
            )}
            {closed ? (
              <button type="button" disabled={state.busy} onClick={act('reopen')}>Reopen</button>
            ) : (
              <button type="button" disabled={state.busy} onClick={act('close')}>Close</button>
            )}
          </div>
        </header>
        <TranscriptLog
          visitorName={name}
          agentName={agent.name}
          messages={messages}
          notes={transcript?.notes ?? []}
          pending={unacknowledged(state.pending, messages)}
          loaded={transcript?.loaded ?? false}
          visitorTyping={state.visitorTyping}
          onRetry={(id) => actions.retry(id)}
        />
        <div class="typing-line" aria-live="polite">
          {state.visitorTyping && <span data-parley="typing">Visitor is typing…</span>}
          {state.agentTyping && <span data-parley="agent-typing">{state.agentTyping} is typing…</span>}
        </div>
        {state.error && <p class="error" role="alert">{state.error}</p>}
        <Composer draft={state.draft} closed={closed} onInput={(value, note) => actions.input(value, note)} onSend={(files) => actions.send(files)} tray={tray} conversationId={conversation.id} onNote={() => void actions.sendNote()} />
      </main>
      <VisitorPanel conversation={conversation} earlier={transcript?.earlier ?? []} messages={messages} />
    </>
  );
}

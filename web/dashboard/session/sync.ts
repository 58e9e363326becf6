import { lastSeq, mergeBySeq } from '../../shared/transcript.js';
import type { AgentApi } from '../agent-api.js';
import { reduceInbox, type InboxEvent } from '../inbox-state.js';
import { mergeNotes } from '../notes/note-list.js';
import type { Message, Note } from '../types.js';
import type { StateStore } from './session-state.js';

/** Everything after the held seq, in one page: a conversation has far fewer messages. */
const CATCH_UP_LIMIT = 1000;

/**
 * Brings the inbox and the open transcript up to date from the API: on start, on every
 * `private-agents` subscription, after a reconnect, while polling, and on focus.
 */
export class Sync {
  constructor(
    private readonly store: StateStore,
    private readonly api: AgentApi,
  ) {}

  dispatch(event: InboxEvent): void {
    this.store.update((s) => ({ inbox: reduceInbox(s.inbox, event) }));
  }

  /** Loads the inbox (a page after `cursor`) under the filter shown. */
  async loadInbox(cursor?: string): Promise<void> {
    const filter = this.store.state.filter;
    const wanted = [this.api.conversations(filter, cursor)];
    // The tab title counts every open conversation, whatever the filter shows.
    if (!cursor && !(filter.status === 'open' && filter.assigned === 'any')) wanted.push(this.api.conversations({ status: 'open', assigned: 'any' }));
    const [shown, all] = await Promise.all(wanted);
    if (shown?.ok) {
      this.dispatch({ type: 'loaded', conversations: shown.data.conversations, replace: false });
      this.store.update({ nextCursor: shown.data.next_cursor });
    }
    if (all?.ok) this.dispatch({ type: 'loaded', conversations: all.data.conversations, replace: false });
  }

  /** Asks for the open conversation's messages after the last seq held, and merges them by seq. */
  async catchUp(id: number): Promise<void> {
    const held = this.store.state.transcript;
    const after = held && held.id === id ? lastSeq(held.messages) : 0;
    const result = await this.api.conversation(id, after, CATCH_UP_LIMIT);
    if (!result.ok) {
      if (result.status === 404) this.store.update({ transcript: { id, messages: [], earlier: [], loaded: true } });
      return;
    }
    const page = result.data;
    this.dispatch({ type: 'conversation', conversation: page.conversation });
    this.store.update(({ transcript: current }) => ({
      transcript: {
        id,
        messages: mergeBySeq(current && current.id === id ? current.messages : [], page.messages),
        earlier: page.earlier_conversations,
        loaded: true,
        notes: mergeNotes(current && current.id === id ? (current.notes ?? []) : [], page.notes ?? []),
      },
    }));
  }

  /** The open transcript's selection while polling: nothing when no conversation is open. */
  catchUpOpen(): void {
    const open = this.store.state.selected;
    if (open !== null) void this.catchUp(open);
  }

  /** A conversation the inbox has not loaded (a message for it arrived): its row. */
  async fetchConversation(id: number): Promise<void> {
    const result = await this.api.conversation(id, Number.MAX_SAFE_INTEGER, 1);
    if (result.ok) this.dispatch({ type: 'conversation', conversation: result.data.conversation });
  }

  /** A note heard live or just written: merged into the open transcript if it belongs there. */
  addNote(note: Note): void {
    this.store.update(({ transcript: current }) =>
      current && current.id === note.conversation_id ? { transcript: { ...current, notes: mergeNotes(current.notes ?? [], [note]) } } : {},
    );
  }

  /** A message heard live or acknowledged: merged into the open transcript if it belongs there. */
  addToTranscript(message: Message): void {
    this.store.update(({ transcript: current }) =>
      current && current.id === message.conversation_id ? { transcript: { ...current, messages: mergeBySeq(current.messages, [message]) } } : {},
    );
  }
}

import { describe, expect, it } from 'vitest';
import type { AgentApi } from '../web/dashboard/agent-api.js';
import type { ApiResult } from '../web/dashboard/api.js';
import type { Note } from '../web/dashboard/types.js';
import { ANN } from './support/dashboard-fakes.js';
import { settle, useDashboardWorld } from './support/dashboard-session-world.js';

// The dashboard session and internal notes (docs/dashboard.md, "Internal notes"): notes heard live
// join the open transcript, a colleague's note naming the agent notifies them, and Note mode saves
// the draft as a note without telling the visitor "Agent is typing…".

const BO = 9;
const noteOf = (extra: Partial<Note> = {}): Note => ({
  id: 1,
  conversation_id: 1,
  body: 'Check the refund',
  author_name: 'Bo',
  agent_id: BO,
  after_seq: 1,
  created_at: '2026-12-01T10:00:00.000Z',
  mentions: [],
  ...extra,
});

describe('dashboard session: internal notes', () => {
  const { w, connectedSession, sessionWithDesktopNotifications } = useDashboardWorld();

  it('adds a note heard on private-agents to the open transcript', async () => {
    const session = await connectedSession(1);
    w.link.handlers.agents.NoteAdded({ note: noteOf() });
    expect(session.state.transcript?.notes).toEqual([noteOf()]);
    expect(session.state.transcript?.messages).toHaveLength(1);
  });

  it('notifies the agent a colleague names, and nobody else', async () => {
    await sessionWithDesktopNotifications();
    w.link.handlers.agents.NoteAdded({ note: noteOf({ mentions: [ANN.id] }) });
    w.link.handlers.agents.NoteAdded({ note: noteOf({ id: 2, mentions: [BO] }) });
    w.link.handlers.agents.NoteAdded({ note: noteOf({ id: 3, agent_id: ANN.id, author_name: 'Ann', mentions: [ANN.id] }) });
    expect(w.notifier.desktops.map((d) => [d.title, d.body])).toEqual([['Bo mentioned you', 'Check the refund']]);
    expect(w.notifier.chimes).toBe(1);
  });

  it('saves the draft as a note, clears the box and never whispers typing', async () => {
    const sent: [number, string, string][] = [];
    const api: AgentApi = w.api;
    api.addNote = async (id, body, clientMessageId): Promise<ApiResult<{ note: Note }>> => {
      sent.push([id, body, clientMessageId]);
      return { ok: true, status: 201, data: { note: noteOf({ body, agent_id: ANN.id, author_name: 'Ann', client_message_id: clientMessageId }) } };
    };
    const session = await connectedSession(1);
    session.input('  internal only  ', true);
    await session.sendNote();
    expect(sent).toEqual([[1, 'internal only', 'agent-1']]);
    expect(session.state.draft).toBe('');
    expect(session.state.transcript?.notes?.map((n) => n.body)).toEqual(['internal only']);
    expect(w.link.whispers).toEqual([]);
  });

  it('puts a refused note back in the box and says why', async () => {
    const api: AgentApi = w.api;
    api.addNote = async (): Promise<ApiResult<{ note: Note }>> => ({ ok: false, status: 422, error: { code: 'validation_failed', message: 'body must not be blank' } });
    const session = await connectedSession(1);
    session.input('lost?', true);
    await session.sendNote();
    await settle();
    expect(session.state.draft).toBe('lost?');
    expect(session.state.error).toBe('The note was not saved: body must not be blank');
    expect(session.state.transcript?.notes ?? []).toEqual([]);
  });
});

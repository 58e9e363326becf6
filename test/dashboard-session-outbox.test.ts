import { describe, expect, it, vi } from 'vitest';
import { OUTBOX_KEY } from '../web/dashboard/session/reply-outbox.js';
import { failureOf } from '../web/shared/api-result.js';
import { conversation, until } from './support/dashboard-fakes.js';
import { settle, useDashboardWorld } from './support/dashboard-session-world.js';

const { w, newSession } = useDashboardWorld();

describe('dashboard session: the reply outbox', () => {
  it('shows a reply as pending until the server acknowledges it, then as a message of the transcript', async () => {
    const session = newSession(1);
    await until(session, (s) => s.transcript?.loaded === true);
    session.input('Hi there');
    session.send();
    expect(session.state.draft).toBe('');
    expect(session.state.pending.map((p) => [p.body, p.failed])).toEqual([['Hi there', false]]);
    const state = await until(session, (s) => s.pending.length === 0);
    expect(state.transcript?.messages.filter((m) => m.body === 'Hi there')).toHaveLength(1);
    expect(w.tabStore.getItem(OUTBOX_KEY)).toBeNull();
  });

  it('retries with back-off while the server cannot be reached, and sends once it can', async () => {
    const session = newSession(1);
    await settle();
    w.api.down = true;
    session.input('Are you there?');
    session.send();
    await vi.advanceTimersByTimeAsync(3000);
    expect(w.api.calls.filter((c) => c.startsWith('reply'))).toHaveLength(3);
    w.api.down = false;
    await vi.advanceTimersByTimeAsync(4000);
    expect(session.state.transcript?.messages.filter((m) => m.body === 'Are you there?')).toHaveLength(1);
    expect(w.api.messages.get(1)?.filter((m) => m.body === 'Are you there?')).toHaveLength(1);
  });

  it('refuses a reply to a closed conversation with a reason, and sends it again on Retry', async () => {
    const session = newSession(1);
    await settle();
    w.api.replyAnswers.push(failureOf(409, { error: { code: 'conversation_closed', message: 'Closed.' } }));
    session.input('Too late?');
    session.send();
    const refused = await until(session, (s) => s.pending[0]?.failed === true);
    expect(refused.error).toBe('Not sent: the conversation is closed. Reopen it to reply.');
    session.retry(refused.pending[0]!.client_message_id);
    expect(session.state.error).toBe('');
    await until(session, (s) => s.transcript?.messages.some((m) => m.body === 'Too late?') === true);
  });

  it("does not let one conversation's refused reply hold up another's", async () => {
    w.api.conversations_.set(2, conversation(2));
    const session = newSession(1);
    await settle();
    w.api.replyAnswers.push(failureOf(422, { error: { code: 'validation_failed', message: 'Too long.' } }));
    session.input('first');
    session.send();
    session.open(2);
    session.input('second');
    session.send();
    await until(session, (s) => s.transcript?.messages.some((m) => m.body === 'second') === true);
    session.open(1);
    expect(session.state.pending.map((p) => [p.body, p.failed])).toEqual([['first', true]]);
  });

  it('sends replies left in the tab from before (a reload, a new login)', async () => {
    w.tabStore.setItem(OUTBOX_KEY, JSON.stringify([{ client_message_id: 'agent-old', conversation_id: 1, body: 'Written before the reload' }]));
    const session = newSession(1);
    await until(session, (s) => s.transcript?.messages.some((m) => m.client_message_id === 'agent-old') === true);
    expect(w.tabStore.getItem(OUTBOX_KEY)).toBeNull();
  });

  it('keeps a reply queued when the session ended (401), for the next login to send', async () => {
    const session = newSession(1);
    await settle();
    w.api.replyAnswers.push(failureOf(401, { error: { code: 'unauthenticated', message: 'Log in.' } }));
    session.input('After expiry');
    session.send();
    await settle();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(w.api.calls.filter((c) => c.startsWith('reply'))).toHaveLength(1);
    expect(JSON.parse(w.tabStore.getItem(OUTBOX_KEY) ?? '[]')).toMatchObject([{ body: 'After expiry' }]);
    session.stop();

    const next = newSession(1);
    await until(next, (s) => s.transcript?.messages.some((m) => m.body === 'After expiry') === true);
  });

  it('keeps a draft per conversation across a new session', async () => {
    w.api.conversations_.set(2, conversation(2));
    const session = newSession(1);
    session.input('half a thought');
    session.open(2);
    expect(session.state.draft).toBe('');
    session.stop();
    expect(newSession(1).state.draft).toBe('half a thought');
  });
});

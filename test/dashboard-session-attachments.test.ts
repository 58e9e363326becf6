import { describe, expect, it, vi } from 'vitest';
import { AttachmentTray } from '../web/dashboard/attachments/tray.js';
import { OUTBOX_KEY } from '../web/dashboard/session/reply-outbox.js';
import { failureOf } from '../web/shared/api-result.js';
import { until } from './support/dashboard-fakes.js';
import { settle, useDashboardWorld } from './support/dashboard-session-world.js';

// The agent's file replies (docs/dashboard.md, "Attachments"): staged in the tray, sent through the
// reply outbox one message per file, the typed text with the first.

const { w, newSession } = useDashboardWorld();

const pdf = (name = 'invoice.pdf', bytes = 2048) => ({ blob: new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), name, type: 'application/pdf' });
const png = (name = 'screen.png') => ({ blob: new Blob([new Uint8Array(300)], { type: 'image/png' }), name, type: 'image/png' });

/** Stages files in conversation 1 and answers them, as the composer's Send takes them. */
function staged(...files: ReturnType<typeof pdf>[]) {
  const tray = new AttachmentTray();
  tray.add(1, files);
  return tray.take(1);
}

async function openSession() {
  const session = newSession(1);
  await until(session, (s) => s.transcript?.loaded === true);
  return session;
}

describe('dashboard session: sending files', () => {
  it('sends the typed text with the first file and each file as its own message, each with its own client_message_id', async () => {
    const session = await openSession();
    session.input('Here are both');
    session.send(staged(pdf(), png()));
    expect(session.state.draft).toBe('');
    expect(session.state.pending.map((p) => [p.body, p.file?.name])).toEqual([
      ['Here are both', 'invoice.pdf'],
      ['', 'screen.png'],
    ]);
    const state = await until(session, (s) => s.pending.length === 0);
    expect(w.api.uploads.map((u) => [u.name, u.body, u.size])).toEqual([
      ['invoice.pdf', 'Here are both', 2048],
      ['screen.png', '', 300],
    ]);
    expect(new Set(w.api.uploads.map((u) => u.client_message_id)).size).toBe(2);
    const sent = state.transcript?.messages.filter((m) => m.attachments) ?? [];
    expect(sent.map((m) => [m.body, m.attachments?.[0]?.name])).toEqual([
      ['Here are both', 'invoice.pdf'],
      ['', 'screen.png'],
    ]);
    expect(w.api.calls.filter((c) => c.startsWith('reply'))).toEqual([]);
  });

  it('sends a file without text, and nothing at all when there is neither', async () => {
    const session = await openSession();
    session.send();
    await settle();
    expect(session.state.pending).toEqual([]);
    session.send(staged(pdf()));
    await until(session, (s) => s.transcript?.messages.some((m) => m.attachments?.[0]?.name === 'invoice.pdf') === true);
    expect(w.api.uploads.map((u) => u.body)).toEqual(['']);
  });

  it('shows the upload progress of a file on its way', async () => {
    w.api.holdUploads = true;
    const session = await openSession();
    session.send(staged(pdf()));
    await vi.waitFor(() => expect(w.api.held).toHaveLength(1));
    expect(session.state.pending[0]?.upload).toMatchObject({ progress: 0, lost: false });
    w.api.held[0]?.progress(0.42);
    expect(session.state.pending[0]?.upload?.progress).toBe(0.42);
    w.api.held[0]?.finish();
    await until(session, (s) => s.pending.length === 0);
  });

  it('retries an upload while the server cannot be reached, always with the same client_message_id', async () => {
    const session = await openSession();
    w.api.down = true;
    session.send(staged(pdf()));
    await vi.advanceTimersByTimeAsync(3000);
    expect(w.api.uploadAttempts).toHaveLength(3);
    w.api.down = false;
    await vi.advanceTimersByTimeAsync(8000);
    await until(session, (s) => s.pending.length === 0);
    expect(new Set(w.api.uploadAttempts).size).toBe(1);
    expect(w.api.uploads.map((u) => u.client_message_id)).toEqual([w.api.uploadAttempts[0]]);
  });

  it('stores a file once when its answer was lost and the retry sends it again', async () => {
    const session = await openSession();
    w.api.loseUploadAnswers = 1;
    session.send(staged(pdf()));
    await vi.advanceTimersByTimeAsync(1000);
    const state = await until(session, (s) => s.pending.length === 0);
    expect(w.api.uploadAttempts).toHaveLength(2);
    expect(w.api.uploads).toHaveLength(1);
    expect(state.transcript?.messages.filter((m) => m.client_message_id === w.api.uploadAttempts[0])).toHaveLength(1);
  });

  it.each([
    [413, 'payload_too_large', 'The file is larger than 10 MB.'],
    [415, 'unsupported_media_type', 'This type of file is not accepted.'],
    [413, 'quota_exceeded', 'This conversation has no room for more files.'],
  ])('shows a %i %s refusal in the server’s words, and sends the same file again on Retry', async (status, code, message) => {
    const session = await openSession();
    w.api.uploadAnswers.push(failureOf(status, { error: { code, message } }));
    session.send(staged(pdf()));
    const refused = await until(session, (s) => s.pending[0]?.failed === true);
    expect(refused.error).toBe(`Not sent: ${message}`);
    expect(refused.pending[0]?.upload?.lost).toBe(false);
    session.retry(refused.pending[0]?.client_message_id ?? '');
    expect(session.state.error).toBe('');
    await until(session, (s) => s.pending.length === 0);
    expect(w.api.uploads.map((u) => [u.name, u.size])).toEqual([['invoice.pdf', 2048]]);
  });

  it('does not let a refused file hold up the replies after it', async () => {
    const session = await openSession();
    w.api.uploadAnswers.push(failureOf(415, { error: { code: 'unsupported_media_type', message: 'No.' } }));
    session.send(staged(pdf('bad.exe')));
    session.input('And a word');
    session.send();
    await until(session, (s) => s.transcript?.messages.some((m) => m.body === 'And a word') === true);
    expect(session.state.pending.map((p) => [p.file?.name, p.failed])).toEqual([['bad.exe', true]]);
  });

  it('after a reload, sends the text of a file reply whose bytes were lost, and refuses a file alone with a reason', async () => {
    w.tabStore.setItem(
      OUTBOX_KEY,
      JSON.stringify([
        { client_message_id: 'agent-old-1', conversation_id: 1, body: 'See attached', file: { ref: 'file-9', name: 'old.pdf', size: 10, type: 'application/pdf' } },
        { client_message_id: 'agent-old-2', conversation_id: 1, body: '', file: { ref: 'file-10', name: 'gone.png', size: 10, type: 'image/png' } },
      ]),
    );
    const session = await openSession();
    const state = await until(session, (s) => s.pending.length === 1 && s.pending[0]?.failed === true);
    expect(state.transcript?.messages.find((m) => m.client_message_id === 'agent-old-1')?.body).toBe('See attached');
    expect(state.pending[0]).toMatchObject({ file: { name: 'gone.png' }, upload: { lost: true } });
    expect(state.error).toBe('Not sent: gone.png was not kept when the page was reloaded. Attach it again.');
    expect(w.api.uploads).toEqual([]);
  });

  it('keeps a file reply queued when the session ended (401) and sends it after the next login in this page', async () => {
    const session = await openSession();
    w.api.uploadAnswers.push(failureOf(401, { error: { code: 'unauthenticated', message: 'Log in.' } }));
    session.send(staged(pdf()));
    await settle();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(w.api.calls.filter((c) => c.startsWith('upload'))).toHaveLength(1);
    expect(session.state.pending.map((p) => p.failed)).toEqual([false]);
  });

  it('announces a visitor’s file without text as "📎 NAME"', async () => {
    w.settingsStore.setItem('parley.notify', JSON.stringify({ sound: true, desktop: true }));
    const session = newSession();
    await until(session, (s) => s.inbox.has(1));
    w.link.up();
    await settle();
    const message = { ...w.api.add(1, ''), attachments: [{ id: 5, name: 'photo.jpg', size: 900, type: 'image/jpeg', url: '/api/files/5/photo.jpg?expires=1&sig=0', image: true }] };
    w.link.handlers.agents.MessageSent({ message });
    expect(w.notifier.desktops.at(-1)).toMatchObject({ title: 'Message from Vera', body: '📎 photo.jpg' });
  });
});

import { describe, expect, it } from 'vitest';
import { ChatApi, type FetchLike } from '../web/widget/app/api.js';
import { DEFAULT_STRINGS } from '../web/widget/app/strings.js';
import { transcriptNotice } from '../web/widget/app/transcript-notice.js';

/** The widget's "Email me the transcript" (docs/api.md, `POST /api/chat/{id}/transcript`): the request, and what the visitor reads. */
const TOKEN = 't'.repeat(43);

const answering = (status: number, body: unknown) => {
  const calls: { url: string; method: string; headers: Record<string, string>; body?: string }[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, method: init.method, headers: init.headers, ...(init.body !== undefined ? { body: init.body } : {}) });
    return { status, headers: { get: (name) => (name === 'Retry-After' && status === 429 ? '3600' : null) }, json: async () => body };
  };
  return { calls, api: new ChatApi('https://chat.example', { fetch, fingerprint: () => undefined, token: () => TOKEN }) };
};

describe('asking for the transcript', () => {
  it('posts to the conversation with the visitor token and no body, and reads out "sent"', async () => {
    const { calls, api } = answering(202, { status: 'queued' });

    const result = await api.transcript(42);

    expect(calls).toEqual([{ url: 'https://chat.example/api/chat/42/transcript', method: 'POST', headers: { Accept: 'application/json', Authorization: `Bearer ${TOKEN}` } }]);
    expect(transcriptNotice(result, DEFAULT_STRINGS)).toEqual({ text: 'Sent to your email.', error: false });
  });

  it('says so when the address unsubscribed', async () => {
    const { api } = answering(202, { status: 'suppressed' });
    expect(transcriptNotice(await api.transcript(42), DEFAULT_STRINGS)).toEqual({ text: DEFAULT_STRINGS.transcriptUnsubscribed, error: true });
  });

  it('explains a conversation without an email in the site’s own words', async () => {
    const { api } = answering(422, { error: { code: 'no_email', message: 'This conversation has no email address to send the transcript to.' } });
    const strings = { ...DEFAULT_STRINGS, transcriptNoEmail: 'Keine E-Mail-Adresse.' };
    expect(transcriptNotice(await api.transcript(42), strings)).toEqual({ text: 'Keine E-Mail-Adresse.', error: true });
  });

  it('shows the server’s message for a refusal such as the rate limit', async () => {
    const { api } = answering(429, { error: { code: 'rate_limited', message: 'Too many transcripts requested for this conversation; retry in 3600 s.' } });
    expect(transcriptNotice(await api.transcript(42), DEFAULT_STRINGS)).toEqual({ text: 'Too many transcripts requested for this conversation; retry in 3600 s.', error: true });
  });

  it.each([
    ['a network failure', 0, undefined],
    ['a server error', 500, { error: { code: 'internal_error', message: 'Internal error.' } }],
    ['a proxy page', 502, '<html>'],
  ])('falls back to its own text on %s', async (_case, status, body) => {
    const result = status === 0 ? await new ChatApi('https://chat.example', { fetch: () => Promise.reject(new Error('offline')), fingerprint: () => undefined, token: () => TOKEN }).transcript(42) : await answering(status, body).api.transcript(42);
    expect(transcriptNotice(result, DEFAULT_STRINGS)).toEqual({ text: DEFAULT_STRINGS.transcriptFailed, error: true });
  });
});

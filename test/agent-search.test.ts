import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SearchPage } from '../src/chat/search.js';
import { expectFailure, newClientId, newFingerprint, useAgentApi, type StartAnswer } from './support/agent-api.js';
import { ENGINES } from './support/engines.js';

// Search (docs/api.md, "Search"): every word of `q` must match a message, an internal note, or the
// visitor's name or email; best match first, newest first among equals; a page at a time.

/** The words a snippet marks (between U+0002 and U+0003). */
const marked = (snippet: string): string[] => snippet.split('\u0002').slice(1).map((part) => part.split('\u0003')[0] ?? '');

describe.each(ENGINES)('search on %s', (engine) => {
  const api = useAgentApi(engine);
  const { get, post, startChat, visitorSend, reply } = api;

  const search = async (q: string, extra = ''): Promise<SearchPage> => {
    const res = await get(`/api/agent/search?q=${encodeURIComponent(q)}${extra}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<SearchPage>();
  };
  const startWithVisitor = async (name: string, email: string, message = 'Hello there'): Promise<StartAnswer> => {
    const res = await api.h.request({
      method: 'POST',
      url: '/api/chat/start',
      json: { name, email, message, client_message_id: newClientId('v'), fingerprint: newFingerprint() },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<StartAnswer>();
  };
  const messageIds = (page: SearchPage) => page.results.map((r) => r.message_id);

  it('finds a message by a word, with its conversation, its id and a snippet marking the word', async () => {
    const chat = await startChat({ message: 'My parcel never arrived in Lisbon' });
    await startChat({ message: 'Something else entirely' });
    const { results, next_cursor } = await search('lisbon');
    expect(results).toEqual([{ conversation_id: chat.conversation.id, message_id: chat.messages[0]?.id, snippet: 'My parcel never arrived in \u0002Lisbon\u0003' }]);
    expect(next_cursor).toBeNull();
  });

  it('finds closed conversations and agents\' replies as well', async () => {
    const chat = await startChat({ message: 'Where is my invoice?' });
    expect((await reply(chat.conversation.id, 'Your invoice was emailed on Monday')).statusCode).toBe(201);
    expect((await post(`/api/agent/conversations/${chat.conversation.id}/close`)).statusCode).toBe(200);
    const { results } = await search('monday');
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ conversation_id: chat.conversation.id });
    expect(marked(results[0]?.snippet ?? '')).toEqual(['Monday']);
  });

  it('needs every word: two words find only the messages holding both', async () => {
    const both = await startChat({ message: 'refund for the blue jacket' });
    await startChat({ message: 'refund for the red shoes' });
    await startChat({ message: 'a blue sky' });
    expect(messageIds(await search('blue refund'))).toEqual([both.messages[0]?.id]);
  });

  it('ranks the closer match first and, among equal matches, the newest first', async () => {
    const older = await startChat({ message: 'discount code please' });
    const newer = await startChat({ message: 'discount code please' });
    const best = await startChat({ message: 'discount discount discount' });
    const weak = await startChat({ message: `discount ${'and then some more words that are not relevant at all '.repeat(4)}` });
    expect(messageIds(await search('discount'))).toEqual([best.messages[0]?.id, newer.messages[0]?.id, older.messages[0]?.id, weak.messages[0]?.id]);
  });

  it('includes internal notes, with note_id instead of message_id', async () => {
    const chat = await startChat({ message: 'I was charged twice' });
    const res = await post(`/api/agent/conversations/${chat.conversation.id}/notes`, { body: 'Escalated to billing as chargeback', client_message_id: newClientId('n') });
    expect(res.statusCode, res.body).toBe(201);
    const note = res.json<{ note: { id: number } }>().note;
    const { results } = await search('chargeback');
    expect(results).toEqual([{ conversation_id: chat.conversation.id, note_id: note.id, snippet: 'Escalated to billing as \u0002chargeback\u0003' }]);
  });

  it("finds a conversation by the visitor's name or email, without a message_id", async () => {
    const chat = await startWithVisitor('Ingrid Bergström', 'ingrid.b@example.org');
    const byEmail = await search('ingrid.b@example.org');
    expect(byEmail.results).toHaveLength(1);
    expect(byEmail.results[0]).toEqual({ conversation_id: chat.conversation.id, snippet: expect.stringContaining('Bergström') });
    expect(byEmail.results[0]).not.toHaveProperty('message_id');
    // Accents folded on SQLite; PostgreSQL's 'simple' configuration matches the name as written.
    expect((await search('Bergström')).results.map((r) => r.conversation_id)).toEqual([chat.conversation.id]);
  });

  it('pages with next_cursor: every result exactly once, in order, then null', async () => {
    const chat = await startChat({ message: 'warranty 0' });
    for (let i = 1; i < 23; i++) expect((await visitorSend(chat, i % 3 === 0 ? `warranty warranty ${i}` : `warranty ${i}`)).statusCode).toBe(201);
    const all = (await search('warranty', '&limit=50')).results;
    expect(all).toHaveLength(23);
    const seen: SearchPage['results'] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: SearchPage = await search('warranty', `&limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.results);
      cursor = page.next_cursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(5);
    expect(seen).toEqual(all);
    expect(new Set(seen.map((r) => r.message_id)).size).toBe(23);
  });

  it('marks only the matched words, even when a message holds the marker characters itself', async () => {
    await startChat({ message: 'fake \u0002mark\u0003 around the word shipping' });
    const [result] = (await search('shipping')).results;
    expect(marked(result?.snippet ?? '')).toEqual(['shipping']);
    expect(result?.snippet.split('\u0002')).toHaveLength(2);
  });

  it('reads search syntax as plain words: quotes, stars, NEAR, minus and colons never fail', async () => {
    const chat = await startChat({ message: 'order NEAR the "station" - body: yes' });
    for (const q of ['"', '""', '"station', 'station*', '*', 'NEAR(order station)', 'NEAR', '-station', 'body:yes', 'station OR', 'AND', '(', ')', '^order', '{body}: order', "o'brien", '\\', '%_%', 'a\u0000b']) {
      const res = await get(`/api/agent/search?q=${encodeURIComponent(q)}`);
      expect(res.statusCode, `${q}: ${res.body}`).toBe(200);
    }
    expect((await search('NEAR')).results.map((r) => r.message_id)).toEqual([chat.messages[0]?.id]);
    expect((await search('body: yes')).results.map((r) => r.message_id)).toEqual([chat.messages[0]?.id]);
    expect((await search('!!! ???')).results).toEqual([]);
  });

  it('never answers 5xx, whatever the query and cursor', async () => {
    await startChat({ message: 'some text to search in' });
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 60, unit: 'binary' }), fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), async (q, cursor) => {
        const res = await get(`/api/agent/search?q=${encodeURIComponent(q)}${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
        expect(res.statusCode, res.body).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses an empty, blank or too long q, and a cursor it did not make, naming the field', async () => {
    expectFailure(await get('/api/agent/search'), 422, 'validation_failed', 'q');
    expectFailure(await get('/api/agent/search?q='), 422, 'validation_failed', 'q');
    expectFailure(await get('/api/agent/search?q=%20%20'), 422, 'validation_failed', 'q');
    expectFailure(await get(`/api/agent/search?q=${'a'.repeat(201)}`), 422, 'validation_failed', 'q');
    expectFailure(await get('/api/agent/search?q=hello&cursor=not-a-cursor'), 422, 'validation_failed', 'cursor');
    expectFailure(await get('/api/agent/search?q=hello&limit=0'), 422, 'validation_failed', 'limit');
  });

  it('needs an agent session', async () => {
    expectFailure(await get('/api/agent/search?q=hello', null), 401, 'unauthenticated');
  });
});

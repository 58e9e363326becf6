import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeCursor, SearchService } from '../src/chat/search.js';
import type { Storage } from '../src/storage/database.js';
import { SearchIndex } from '../src/storage/search-index.js';
import { ENGINES, freshStorage, skipEngine } from './support/engines.js';

// The search index on both engines (docs/api.md, "Search"): matching messages are ranked in
// windows of the newest matches; paging walks window after window and meets every match once.

describe.each(ENGINES)('search index on %s', (engine) => {
  let storage: Storage;
  beforeEach(async (ctx) => {
    if (skipEngine(engine)) return ctx.skip();
    storage = await freshStorage(engine);
  });
  afterEach(async () => {
    await storage?.close();
  });

  const conversation = async (name: string | null, email: string | null): Promise<number> => {
    const row = await storage.db
      .insertInto('conversations')
      .values({ status: 'closed', client_ip: '203.0.113.1', user_agent: 'test', visitor_token_hash: `h${Math.random()}`, visitor_name: name, visitor_email: email, last_seq: 0, visitor_read_seq: 0, agent_read_seq: 0, created_at: 1, last_activity_at: 1, origin: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  };
  const messages = async (conversationId: number, bodies: string[]): Promise<number[]> => {
    const ids: number[] = [];
    for (const [i, body] of bodies.entries()) {
      const row = await storage.db.insertInto('messages').values({ conversation_id: conversationId, seq: i + 1, sender: 'visitor', body, created_at: i }).returning('id').executeTakeFirstOrThrow();
      ids.push(row.id);
    }
    return ids;
  };

  it('pages through several windows: every match once, each window best first, the newest window first', async () => {
    const id = await conversation('Ada', 'ada@example.org');
    const bodies = Array.from({ length: 23 }, (_, i) => (i % 4 === 0 ? 'tracking tracking number' : `tracking number ${i} and more words here`));
    const ids = await messages(id, bodies);
    const service = new SearchService(SearchIndex.for(storage.db, storage.engine, 5));
    const seen: number[] = [];
    const windows: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await service.search('tracking', cursor, 3);
      if (!page.ok) throw new Error(page.error.message);
      seen.push(...page.value.results.map((r) => r.message_id as number));
      cursor = page.value.next_cursor ?? undefined;
      if (cursor) windows.push(decodeCursor(cursor)?.window ?? -1);
    } while (cursor);
    expect([...seen].sort((a, b) => a - b)).toEqual(ids);
    // The newest five first, the repeated word ranked first among them.
    expect(seen.slice(0, 5)).toEqual([ids[20], ids[22], ids[21], ids[19], ids[18]]);
    expect(windows).toEqual([...windows].sort((a, b) => (a === 0 ? -1 : b === 0 ? 1 : b - a)));
  });

  it('keeps the index in step: an edited body is found by its new words only, a deleted conversation not at all', async () => {
    const id = await conversation('Bo', null);
    const [messageId] = await messages(id, ['first draft']);
    const index = SearchIndex.for(storage.db, storage.engine);
    await storage.db.updateTable('messages').set({ body: 'second version' }).where('id', '=', messageId as number).execute();
    expect(await index.search(['draft'], undefined, 10)).toEqual([]);
    expect((await index.search(['version'], undefined, 10)).map((h) => h.id)).toEqual([messageId]);
    await storage.db.updateTable('conversations').set({ visitor_email: 'bo@example.net' }).where('id', '=', id).execute();
    expect((await index.search(['bo@example.net'], undefined, 10)).map((h) => [h.source, h.id])).toEqual([['visitor', id]]);
    await storage.db.deleteFrom('conversations').where('id', '=', id).execute();
    expect(await index.search(['version'], undefined, 10)).toEqual([]);
    expect(await index.search(['bo'], undefined, 10)).toEqual([]);
  });
});

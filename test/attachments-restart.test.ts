import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../src/storage/database.js';
import type { Engine } from '../src/storage/engine.js';
import { BOUNDARY, countTables, multipart, textFile, uploadParts } from './support/attachments.js';
import { FINGERPRINT, json, post, useCliSites, type Site } from './support/cli-sites.js';
import { ENGINES, skipEngine, TEST_DATABASE_URL, withSchemaLock } from './support/engines.js';

/**
 * A crash in the middle of an upload (docs/api.md, "Attachments"): the real `parley start`, killed
 * with SIGKILL while a multipart upload of several MB is still arriving, leaves no message, no
 * attachment and no stored bytes; after a restart the same `client_message_id` uploads once.
 */
const { newSite, start, processes } = useCliSites();

const MB = 1024 * 1024;

interface Chat {
  id: number;
  token: string;
}

/** The site's storage, opened from the test (SQLite's file, or the PostgreSQL schema the node uses). */
async function siteOn(engine: Engine): Promise<{ site: Site; storage: () => Storage; drop: () => Promise<void> }> {
  if (engine === 'sqlite') {
    const site = await newSite();
    return { site, storage: () => openStorage({ kind: 'sqlite', file: join(site.env.STORAGE_PATH as string, 'parley.sqlite') }), drop: async () => undefined };
  }
  const schema = `parley_test_${randomBytes(6).toString('hex')}`;
  await withSchemaLock((client) => client.query(`create schema ${schema}`));
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const site = await newSite({ DB_CONNECTION: 'pgsql', DATABASE_URL: url.toString() });
  return {
    site,
    storage: () => openStorage({ kind: 'pgsql', url: TEST_DATABASE_URL }, { searchPath: schema, poolSize: 1 }),
    drop: () => withSchemaLock((client) => client.query(`drop schema if exists ${schema} cascade`)).then(() => undefined),
  };
}

/** Row counts and the conversation's last_seq, read from the database while nothing writes. */
async function snapshot(storage: Storage, conversationId: number) {
  const row = await storage.db.selectFrom('conversations').select('last_seq').where('id', '=', conversationId).executeTakeFirstOrThrow();
  return { ...(await countTables(storage.db)), lastSeq: row.last_seq };
}

/**
 * Begins an upload with `client_message_id` before the file, sends `sendBytes` of a file announced
 * as larger, each write awaited, and never ends it. Answers (wrapped, so awaiting this does not wait
 * for it) a promise of how the request ended.
 */
async function beginUpload(site: Site, chat: Chat, clientMessageId: string, sendBytes: number): Promise<{ ended: Promise<string> }> {
  const req = request(`${site.url}/api/chat/${chat.id}/attachments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${chat.token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
  });
  let over = false;
  const ended = new Promise<string>((resolve) => {
    req.on('error', (error) => resolve(error.message));
    req.on('response', (res) => resolve(`answered ${res.statusCode}`));
  }).finally(() => (over = true));
  const write = (chunk: Buffer) => new Promise<void>((resolve, reject) => req.write(chunk, (error) => (error ? reject(error) : resolve())));
  await write(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="client_message_id"\r\n\r\n${clientMessageId}\r\n`));
  await write(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.log"\r\nContent-Type: text/plain\r\n\r\n`));
  const chunk = Buffer.alloc(64 * 1024, 'a');
  // An early answer ends the loop: the test then fails on it rather than waiting on a peer that stopped reading.
  for (let sent = 0; sent < sendBytes && !over; sent += chunk.length) await write(chunk);
  return { ended };
}

async function uploadWhole(site: Site, chat: Chat, clientMessageId: string): Promise<{ status: number; message: { id: number; seq: number } }> {
  const { payload, contentType } = multipart(uploadParts(textFile(2 * MB, 'big.log'), { client_message_id: clientMessageId }));
  const res = await fetch(`${site.url}/api/chat/${chat.id}/attachments`, { method: 'POST', headers: { authorization: `Bearer ${chat.token}`, 'content-type': contentType }, body: payload });
  return { status: res.status, message: (await json<{ message: { id: number; seq: number } }>(res)).message };
}

describe.each(ENGINES)('a restart in the middle of an upload on %s', (engine) => {
  let cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await processes.killAll();
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('leaves no half message: counts and last_seq unchanged, and the same client_message_id then uploads once', async (ctx) => {
    if (skipEngine(engine)) return ctx.skip();
    const { site, storage: open, drop } = await siteOn(engine);
    cleanup = [drop];
    let parley = await start(site);
    const started = await json<{ conversation: { id: number }; visitor_token: string }>(await post(`${site.url}/api/chat/start`, { fingerprint: FINGERPRINT, message: 'Sending the log now' }));
    const chat = { id: started.conversation.id, token: started.visitor_token };

    const storage = open();
    cleanup.push(() => storage.close());
    const before = await snapshot(storage, chat.id);
    expect(before).toMatchObject({ messages: 1, attachments: 0, blobs: 0, lastSeq: 1 });

    // 8 MB written (of a file under the 10 MiB limit) is more than loopback buffers hold: the server has read most of it.
    const { ended } = await beginUpload(site, chat, 'log-1', 8 * MB);
    expect(parley.running, 'the upload is still open when the server dies').toBe(true);
    await parley.stop('SIGKILL');
    expect(await ended).not.toMatch(/^answered/);
    expect(await snapshot(storage, chat.id), 'right after the crash').toEqual(before);

    parley = await start(site);
    expect(await snapshot(storage, chat.id), 'after the restart').toEqual(before);
    const status = await fetch(`${site.url}/api/chat/${chat.id}/status`, { headers: { authorization: `Bearer ${chat.token}` } });
    expect(await json<{ last_seq: number }>(status)).toMatchObject({ last_seq: 1 });

    const first = await uploadWhole(site, chat, 'log-1');
    const again = await uploadWhole(site, chat, 'log-1');
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.message).toEqual(first.message);
    expect(first.message.seq).toBe(2);
    expect(await snapshot(storage, chat.id)).toEqual({ messages: 2, attachments: 1, blobs: 1, lastSeq: 2 });
  }, 90_000);
});

import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { MessageDto } from '../src/chat/dto.js';
import { expectFailure } from './support/agent-api.js';
import {
  countRows,
  HTML_AS_PNG,
  onlyAttachment,
  PNG_FILE,
  SVG_WITH_SCRIPT,
  TEXT_AS_PNG,
  startChat,
  streamUpload,
  textFile,
  upload,
  uploadParts,
  visitorUpload,
} from './support/attachments.js';
import { ENGINES } from './support/engines.js';
import { useHarness } from './support/harness.js';

/** Uploads (docs/api.md, "Attachments"): both routes, their answers, and every refusal leaving nothing behind. */

const GENEROUS = { CHAT_RATE_LIMIT_UPLOAD: '10000/1m' };
describe.each(ENGINES)('attachment uploads on %s', (engine) => {
  const harness = useHarness(engine, GENEROUS);

  /** Runs `refuse` and checks that it stored nothing: no message, attachment or blob row. */
  const refusesStoringNothing = async (refuse: () => Promise<void>) => {
    const before = await countRows(harness.h);
    await refuse();
    expect(await countRows(harness.h)).toEqual(before);
  };

  describe('a visitor sends a file', () => {
    it('answers 201 with the message and its attachment: name, size, detected type, signed URL, image flag', async () => {
      const h = harness.h;
      const chat = await startChat(h);
      const res = await visitorUpload(h, chat, uploadParts(PNG_FILE, { client_message_id: 'f-1' }));
      expect(res.statusCode, res.body).toBe(201);
      const { message } = res.json<{ message: MessageDto }>();
      expect(message).toMatchObject({ conversation_id: chat.id, seq: 2, sender: 'visitor', body: '', client_message_id: 'f-1' });
      const attachment = onlyAttachment(message);
      expect(attachment).toMatchObject({ name: 'screenshot.png', type: 'image/png', image: true });
      expect(attachment.size).toBeGreaterThan(0);
      expect(attachment.url.startsWith(`/api/files/${attachment.id}/`)).toBe(true);
    });

    it('keeps the body sent with the file, whether the fields come before or after it', async () => {
      const h = harness.h;
      const chat = await startChat(h);
      const after = await visitorUpload(h, chat, uploadParts(textFile(40), { body: 'The log you asked for' }));
      expect(after.statusCode, after.body).toBe(201);
      expect(after.json<{ message: MessageDto }>().message.body).toBe('The log you asked for');
      const before = await visitorUpload(h, chat, [{ name: 'body', value: 'And the screenshot' }, { name: 'client_message_id', value: 'f-2' }, PNG_FILE]);
      expect(before.statusCode, before.body).toBe(201);
      expect(before.json<{ message: MessageDto }>().message).toMatchObject({ body: 'And the screenshot', client_message_id: 'f-2' });
    });

    it('is idempotent by client_message_id: the same upload twice stores one message and one file, 200 the second time', async () => {
      const h = harness.h;
      const chat = await startChat(h);
      const rows = await countRows(h);
      const first = await visitorUpload(h, chat, uploadParts(PNG_FILE, { client_message_id: 'retry-file' }));
      const again = await visitorUpload(h, chat, uploadParts(PNG_FILE, { client_message_id: 'retry-file' }));
      expect([first.statusCode, again.statusCode]).toEqual([201, 200]);
      expect(again.json<{ message: MessageDto }>().message.id).toBe(first.json<{ message: MessageDto }>().message.id);
      expect(onlyAttachment(again.json<{ message: MessageDto }>().message).id).toBe(onlyAttachment(first.json<{ message: MessageDto }>().message).id);
      expect(await countRows(h)).toEqual({ messages: rows.messages + 1, attachments: rows.attachments + 1, blobs: rows.blobs + 1 });
      expect(h.events.events.filter((e) => e.name === 'MessageSent')).toHaveLength(2);
    });

    it('stores five concurrent uploads with one client_message_id once: one 201, four 200, one file kept', async () => {
      const h = harness.h;
      const chat = await startChat(h);
      const rows = await countRows(h);
      const answers = await Promise.all(Array.from({ length: 5 }, () => visitorUpload(h, chat, uploadParts(PNG_FILE, { client_message_id: 'race-1' }))));
      expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 200, 200, 200, 201]);
      expect(new Set(answers.map((a) => a.json<{ message: MessageDto }>().message.id)).size).toBe(1);
      expect(await countRows(h), 'the bytes of the four retries are deleted').toEqual({ messages: rows.messages + 1, attachments: rows.attachments + 1, blobs: rows.blobs + 1 });
    });

    it('shows the file in GET …/messages, the agent transcript, the inbox and the MessageSent broadcast', async () => {
      const h = harness.h;
      const chat = await startChat(h);
      const sent = onlyAttachment((await visitorUpload(h, chat, uploadParts(PNG_FILE))).json<{ message: MessageDto }>().message);
      const polled = await h.request({ method: 'GET', url: `/api/chat/${chat.id}/messages?after=1`, headers: { authorization: `Bearer ${chat.token}` } });
      expect(onlyAttachment(polled.json<{ messages: MessageDto[] }>().messages[0] as MessageDto)).toEqual(sent);
      const agent = await h.loginAs();
      const detail = await h.request({ method: 'GET', url: `/api/agent/conversations/${chat.id}`, headers: agent.headers });
      const messages = detail.json<{ messages: MessageDto[] }>().messages;
      expect(messages[0]?.attachments, 'a message without files has no attachments field').toBeUndefined();
      expect(onlyAttachment(messages[1] as MessageDto)).toEqual(sent);
      const inbox = await h.request({ method: 'GET', url: '/api/agent/conversations', headers: agent.headers });
      const row = inbox.json<{ conversations: { id: number; last_message: MessageDto | null }[] }>().conversations.find((c) => c.id === chat.id);
      expect(onlyAttachment(row?.last_message as MessageDto)).toEqual(sent);
      const broadcast = h.events.events.findLast((e) => e.name === 'MessageSent') as { message: MessageDto } | undefined;
      expect(onlyAttachment(broadcast?.message as MessageDto).id).toBe(sent.id);
    });
  });

  describe('an agent sends a file', () => {
    it('with the session and the CSRF header: 201, an agent message carrying the file', async () => {
      const h = harness.h;
      const chat = await startChat(h);
      const agent = await h.loginAs();
      const res = await upload(h, `/api/agent/conversations/${chat.id}/attachments`, uploadParts(textFile(100, 'invoice.txt'), { body: 'Your invoice', client_message_id: 'a-f1' }), agent.headers);
      expect(res.statusCode, res.body).toBe(201);
      const { message } = res.json<{ message: MessageDto }>();
      expect(message).toMatchObject({ sender: 'agent', body: 'Your invoice', author_name: expect.any(String) as string });
      expect(onlyAttachment(message)).toMatchObject({ name: 'invoice.txt', type: 'text/plain', image: false, size: 100 });
      const polled = await h.request({ method: 'GET', url: `/api/chat/${chat.id}/messages?after=1`, headers: { authorization: `Bearer ${chat.token}` } });
      expect(onlyAttachment(polled.json<{ messages: MessageDto[] }>().messages[0] as MessageDto).name).toBe('invoice.txt');
    });

    it('without the X-CSRF-Token header: 403 csrf_mismatch, nothing stored', async () => {
      const h = harness.h;
      const chat = await startChat(h);
      const agent = await h.loginAs();
      await refusesStoringNothing(async () => {
        expectFailure(await upload(h, `/api/agent/conversations/${chat.id}/attachments`, uploadParts(PNG_FILE), { cookie: agent.cookie }), 403, 'csrf_mismatch');
      });
    });

    it('without a session: 401 unauthenticated', async () => {
      const h = harness.h;
      const chat = await startChat(h);
      expectFailure(await upload(h, `/api/agent/conversations/${chat.id}/attachments`, uploadParts(PNG_FILE)), 401, 'unauthenticated');
    });
  });

  describe('the type comes from the content, never from the name', () => {
    it('refuses HTML named .png with 415 unsupported_media_type naming file', async () => {
      const h = harness.h;
      const chat = await startChat(h);
      await refusesStoringNothing(async () => {
        expectFailure(await visitorUpload(h, chat, uploadParts(HTML_AS_PNG)), 415, 'unsupported_media_type', 'file');
      });
    });

    it('refuses an SVG carrying a script with 415', async () => {
      const h = harness.h;
      const chat = await startChat(h);
      await refusesStoringNothing(async () => {
        expectFailure(await visitorUpload(h, chat, uploadParts(SVG_WITH_SCRIPT)), 415, 'unsupported_media_type', 'file');
      });
    });

    it('stores a text file named x.png as text/plain named x.png.txt, not an image', async () => {
      const h = harness.h;
      const chat = await startChat(h);
      const res = await visitorUpload(h, chat, uploadParts(TEXT_AS_PNG));
      expect(res.statusCode, res.body).toBe(201);
      expect(onlyAttachment(res.json<{ message: MessageDto }>().message)).toMatchObject({ name: 'x.png.txt', type: 'text/plain', image: false });
    });
  });

  describe('refusals store nothing', () => {
    it('a conversation the token does not open: 404', async () => {
      const h = harness.h;
      const mine = await startChat(h);
      const theirs = await startChat(h);
      await refusesStoringNothing(async () => {
        expectFailure(await visitorUpload(h, { id: theirs.id, token: mine.token }, uploadParts(PNG_FILE)), 404, 'not_found');
        expectFailure(await upload(h, `/api/chat/${mine.id}/attachments`, uploadParts(PNG_FILE)), 404, 'not_found');
      });
    });

    it('a closed conversation: 409 conversation_closed', async () => {
      const h = harness.h;
      const chat = await startChat(h);
      const agent = await h.loginAs();
      expect((await h.request({ method: 'POST', url: `/api/agent/conversations/${chat.id}/close`, headers: agent.headers })).statusCode).toBe(200);
      await refusesStoringNothing(async () => {
        expectFailure(await visitorUpload(h, chat, uploadParts(PNG_FILE)), 409, 'conversation_closed');
        expectFailure(await upload(h, `/api/agent/conversations/${chat.id}/attachments`, uploadParts(PNG_FILE), agent.headers), 409, 'conversation_closed');
      });
    });

    it('no file: 422 naming file; two files: refused naming file', async () => {
      const h = harness.h;
      const chat = await startChat(h);
      await refusesStoringNothing(async () => {
        expectFailure(await visitorUpload(h, chat, [{ name: 'body', value: 'where is it?' }]), 422, 'validation_failed', 'file');
        expectFailure(await visitorUpload(h, chat, [PNG_FILE, { ...PNG_FILE, filename: 'second.png' }]), 422, 'validation_failed', 'file');
      });
    });

    it('a body over 5,000 characters or a bad client_message_id: 422 naming the field', async () => {
      const h = harness.h;
      const chat = await startChat(h);
      await refusesStoringNothing(async () => {
        expectFailure(await visitorUpload(h, chat, uploadParts(PNG_FILE, { body: 'x'.repeat(5_001) })), 422, 'validation_failed', 'body');
        expectFailure(await visitorUpload(h, chat, uploadParts(PNG_FILE, { client_message_id: 'has spaces!' })), 422, 'validation_failed', 'client_message_id');
      });
    });

    it('a file over CHAT_ATTACHMENT_MAX_MB: 413 payload_too_large naming file', async () => {
      await harness.restart({ ...GENEROUS, CHAT_ATTACHMENT_MAX_MB: '1' });
      const h = harness.h;
      const chat = await startChat(h);
      await refusesStoringNothing(async () => {
        expectFailure(await visitorUpload(h, chat, uploadParts(textFile(1_500_000))), 413, 'payload_too_large', 'file');
      });
      // A file under the limit, though far over HTTP_BODY_LIMIT (64 KiB), is fine.
      expect((await visitorUpload(h, chat, uploadParts(textFile(600_000)))).statusCode).toBe(201);
    });

    it('cuts a 50 MB upload off at the limit while it streams: 413 long before the rest is read, nothing stored', async () => {
      await harness.restart({ ...GENEROUS, CHAT_ATTACHMENT_MAX_MB: '1' });
      const h = harness.h;
      const chat = await startChat(h);
      await h.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = h.app.server.address() as AddressInfo;
      await refusesStoringNothing(async () => {
        const answer = await streamUpload(port, `/api/chat/${chat.id}/attachments`, { authorization: `Bearer ${chat.token}` }, 50 * 1024 * 1024);
        expect(answer.status, answer.body).toBe(413);
        expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'payload_too_large', fields: { file: expect.any(String) as string } } });
        expect(answer.readBeforeAnswer, 'bytes the server let in before answering').toBeLessThan(16 * 1024 * 1024);
      });
    });

    it('past CHAT_ATTACHMENT_CONVERSATION_MAX_MB in one conversation: 413 quota_exceeded naming file; another conversation still may', async () => {
      await harness.restart({ ...GENEROUS, CHAT_ATTACHMENT_MAX_MB: '1', CHAT_ATTACHMENT_CONVERSATION_MAX_MB: '1' });
      const h = harness.h;
      const chat = await startChat(h);
      expect((await visitorUpload(h, chat, uploadParts(textFile(600_000)))).statusCode).toBe(201);
      await refusesStoringNothing(async () => {
        expectFailure(await visitorUpload(h, chat, uploadParts(textFile(600_000))), 413, 'quota_exceeded', 'file');
      });
      expect((await visitorUpload(h, await startChat(h), uploadParts(textFile(600_000)))).statusCode).toBe(201);
    });

    it('holds the quota against concurrent uploads: of four 600 KB files sent at once into 1 MiB, one is stored', async () => {
      await harness.restart({ ...GENEROUS, CHAT_ATTACHMENT_MAX_MB: '1', CHAT_ATTACHMENT_CONVERSATION_MAX_MB: '1' });
      const h = harness.h;
      const chat = await startChat(h);
      const rows = await countRows(h);
      const answers = await Promise.all(Array.from({ length: 4 }, (_, i) => visitorUpload(h, chat, uploadParts(textFile(600_000), { client_message_id: `q-${i}` }))));
      expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 413, 413, 413]);
      expect(await countRows(h)).toEqual({ messages: rows.messages + 1, attachments: rows.attachments + 1, blobs: rows.blobs + 1 });
    });

    it('more uploads from one IP than CHAT_RATE_LIMIT_UPLOAD: 429 rate_limited with Retry-After', async () => {
      await harness.restart({ CHAT_RATE_LIMIT_UPLOAD: '2/1m' });
      const h = harness.h;
      const chat = await startChat(h);
      expect((await visitorUpload(h, chat, uploadParts(PNG_FILE))).statusCode).toBe(201);
      expect((await visitorUpload(h, chat, uploadParts(PNG_FILE))).statusCode).toBe(201);
      await refusesStoringNothing(async () => {
        const limited = await visitorUpload(h, chat, uploadParts(PNG_FILE));
        expectFailure(limited, 429, 'rate_limited');
        expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      });
      expect((await visitorUpload(h, chat, uploadParts(PNG_FILE), '198.51.100.20')).statusCode, 'another IP has its own budget').toBe(201);
    });
  });

  it('GET /api/chat/config tells the widget the size limit and the accepted types', async () => {
    const res = await harness.h.request({ method: 'GET', url: '/api/chat/config' });
    const { attachments } = res.json<{ attachments: { max_bytes: number; types: string[] } }>();
    expect(attachments.max_bytes).toBe(10 * 1024 * 1024);
    expect(attachments.types).toEqual(expect.arrayContaining(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain']));
    expect(attachments.types).not.toContain('image/svg+xml');
    expect(attachments.types).not.toContain('text/html');
  });
});

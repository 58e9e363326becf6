import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { MessageDto } from '../src/chat/dto.js';
import { withAttachments } from '../src/mail/attachment-lines.js';
import { renderEmail } from '../src/mail/email-template.js';
import { followUpEmail } from '../src/mail/follow-up-email.js';
import { transcriptEmail } from '../src/mail/transcript-email.js';
import { MIGRATION_NAMES } from '../src/storage/migrator.js';
import { multipart, png } from './support/attachments.js';
import { ENGINES } from './support/engines.js';
import { useHarness, type Harness } from './support/harness.js';

/** The smoke test of attachments end to end; test/attachments-*.test.ts hold the thorough suites. */
describe.each(ENGINES)('attachments on %s', (engine) => {
  const harness = useHarness(engine);

  async function startChat(h: Harness): Promise<{ id: number; token: string }> {
    const res = await h.request({ method: 'POST', url: '/api/chat/start', json: { message: 'Hello' } });
    const body = res.json() as { conversation: { id: number }; visitor_token: string };
    return { id: body.conversation.id, token: body.visitor_token };
  }

  function upload(h: Harness, url: string, headers: Record<string, string>, fields: Record<string, string> = {}) {
    const form = multipart([{ name: 'file', filename: 'shot.png', type: 'image/png', data: png('taken at home') }, ...Object.entries(fields).map(([name, value]) => ({ name, value }))]);
    return h.request({ method: 'POST', url, payload: form.payload, headers: { 'content-type': form.contentType, ...headers } });
  }

  it('migrates: attachments, attachment_blobs and messages.attachment_count exist', async () => {
    const { h } = harness;
    expect(MIGRATION_NAMES).toContain('0009-attachments');
    const db = h.parley.storage.db;
    await sql`select id, conversation_id, message_id, name, size, type, disk, storage_key, created_at from attachments`.execute(db);
    await sql`select key, data, created_at from attachment_blobs`.execute(db);
    const counts = await db.selectFrom('messages').select('attachment_count').execute();
    expect(counts.map((c) => c.attachment_count)).toEqual([]);
  });

  it('a visitor uploads an image: 201, the message carries it, MessageSent too, and its signed URL downloads it', async () => {
    const { h } = harness;
    const chat = await startChat(h);
    const res = await upload(h, `/api/chat/${chat.id}/attachments`, { authorization: `Bearer ${chat.token}` }, { body: 'see this', client_message_id: 'up-1' });
    expect(res.statusCode, res.body).toBe(201);
    const { message } = res.json() as { message: MessageDto };
    expect(message).toMatchObject({ sender: 'visitor', body: 'see this', client_message_id: 'up-1' });
    const [file] = message.attachments ?? [];
    expect(file).toMatchObject({ name: 'shot.png', type: 'image/png', image: true });
    expect(file?.url).toMatch(new RegExp(`^/api/files/${file?.id}/shot\\.png\\?expires=\\d+&sig=[0-9a-f]{64}$`));

    const sent = h.events.events.find((e) => e.name === 'MessageSent' && e.message.id === message.id);
    expect(sent?.name === 'MessageSent' && sent.message.attachments).toEqual(message.attachments);
    const polled = await h.request({ method: 'GET', url: `/api/chat/${chat.id}/messages`, headers: { authorization: `Bearer ${chat.token}` } });
    expect((polled.json() as { messages: MessageDto[] }).messages.map((m) => m.attachments?.length ?? 0)).toEqual([0, 1]);

    const download = await h.request({ method: 'GET', url: file?.url ?? '' });
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('image/png');
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.rawPayload.length).toBe(file?.size);
    expect(download.rawPayload.includes(Buffer.from('taken at home'))).toBe(false);
    expect((await h.request({ method: 'GET', url: (file?.url ?? '').replace(/sig=./, 'sig=0') })).statusCode).toBe(404);
  });

  it('accepts multipart on the upload routes only: POST …/messages still answers 415', async () => {
    const { h } = harness;
    const chat = await startChat(h);
    const res = await upload(h, `/api/chat/${chat.id}/messages`, { authorization: `Bearer ${chat.token}` }, { body: 'hi' });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  it('an agent uploads with session and CSRF token; the same client_message_id again answers 200 and stores nothing more', async () => {
    const { h } = harness;
    const chat = await startChat(h);
    const agent = await h.loginAs();
    const url = `/api/agent/conversations/${chat.id}/attachments`;
    const first = await upload(h, url, agent.headers, { client_message_id: 'a-1' });
    expect(first.statusCode, first.body).toBe(201);
    expect((first.json() as { message: MessageDto }).message).toMatchObject({ sender: 'agent', body: '' });
    const again = await upload(h, url, agent.headers, { client_message_id: 'a-1' });
    expect(again.statusCode).toBe(200);
    expect((again.json() as { message: MessageDto }).message.id).toBe((first.json() as { message: MessageDto }).message.id);
    const blobs = await sql<{ n: number | string }>`select count(*) as n from attachment_blobs`.execute(h.parley.storage.db);
    expect(Number(blobs.rows[0]?.n)).toBe(1);
    expect((await upload(h, url, { cookie: agent.cookie }, {})).statusCode).toBe(403);
  });
});

describe('attachments in emails', () => {
  const FOOTER = { sender: 'Shop', unsubscribeUrl: 'https://chat.example/email/unsubscribe?token=t' };
  const at = Date.UTC(2026, 11, 3, 13, 40);

  it('names each file with its size after the body, never a URL (they expire)', () => {
    expect(withAttachments('Here it is', [{ name: 'invoice.pdf', size: 245_760 }, { name: 'a.txt', size: 12 }])).toBe(
      'Here it is\nAttachment: invoice.pdf (240 KB)\nAttachment: a.txt (12 bytes)',
    );
    expect(withAttachments('', [{ name: 'photo.jpg', size: 1_572_864 }])).toBe('Attachment: photo.jpg (1.5 MB)');
  });

  it('a transcript line that is a file alone reads as its attachment line', () => {
    const email = renderEmail(
      transcriptEmail({ to: 'ann@example.test', conversationId: 7, pageUrl: null, lines: [{ sender: 'visitor', author: 'Ann', sentAt: at, body: '', attachments: [{ name: 'shot.png', size: 2048 }] }] }),
      FOOTER,
    );
    expect(email.text).toContain('Ann, 2026-12-03 13:40 UTC:\n> Attachment: shot.png (2 KB)\n');
    expect(email.text).not.toContain('/api/files/');
  });

  it('a follow-up lists the files an agent sent with a reply', () => {
    const draft = followUpEmail({
      conversationId: 7,
      visitorName: 'Ann',
      replies: [{ author: 'Sam', sentAt: at, body: 'The label:', attachments: [{ name: 'label.pdf', size: 4096 }] }],
      linkUrl: 'https://shop.example/#parley-link=x',
      linkExpiresAt: at + 86_400_000,
    });
    expect(renderEmail(draft, FOOTER).text).toContain('> The label:\n> Attachment: label.pdf (4 KB)');
  });
});

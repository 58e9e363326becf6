import { describe, expect, it, vi } from 'vitest';
import { failureOf, networkFailure, type ApiResult } from '../web/shared/api-result.js';
import { MemoryStore } from '../web/shared/key-value-store.js';
import { Transcript } from '../web/shared/transcript.js';
import type { UploadRequest } from '../web/shared/upload.js';
import { isOutboxItem, type OutboxItem } from '../web/widget/app/outbox-item.js';
import { KEYS } from '../web/widget/app/storage.js';
import type { ChatMessage } from '../web/widget/app/types.js';
import { fileName, refusal, screenshotName } from '../web/widget/app/upload/file-rules.js';
import { FileSender, type FileBytes } from '../web/widget/app/upload/file-sender.js';
import { viewMessages, type VisitorTranscript } from '../web/widget/app/view-messages.js';
import { session, useFakeServer } from './support/widget-fake-server.js';

const LIMITS = { max_bytes: 10 * 1024 * 1024, types: ['image/png', 'image/jpeg', 'application/pdf', 'text/plain', 'application/zip', 'application/x-cfb'] };
const PNG = { name: 'screenshot-20261203-101500.png', size: 2048, type: 'image/png' };

describe('widget attachments: what is refused before upload', () => {
  it('refuses a file over the size limit, and a declared type the server does not accept', () => {
    expect(refusal({ size: LIMITS.max_bytes + 1, type: 'image/png' }, LIMITS)).toBe('size');
    expect(refusal({ size: LIMITS.max_bytes, type: 'image/png' }, LIMITS)).toBeUndefined();
    expect(refusal({ size: 10, type: 'image/svg+xml' }, LIMITS)).toBe('type');
    expect(refusal({ size: 10, type: 'text/html' }, LIMITS)).toBe('type');
    expect(refusal({ size: 10, type: 'video/mp4' }, LIMITS)).toBe('type');
  });

  it('leaves to the server what only the content can tell: unknown types, any text but markup, browsers\' other names', () => {
    for (const type of ['', 'application/octet-stream', 'text/csv', 'text/markdown', 'application/json', 'image/jpg', 'application/msword', 'application/x-zip-compressed']) {
      expect(refusal({ size: 10, type }, LIMITS), type).toBeUndefined();
    }
  });

  it('refuses nothing before the config has answered (the server decides)', () => {
    expect(refusal({ size: 1e12, type: 'video/mp4' }, undefined)).toBeUndefined();
  });
});

describe('widget attachments: names of pasted images', () => {
  const at = new Date(2026, 11, 3, 9, 5, 7);

  it('names a pasted screenshot screenshot-YYYYMMDD-HHMMSS in local time, with its type\'s extension', () => {
    expect(screenshotName(at, 'image/png')).toBe('screenshot-20261203-090507.png');
    expect(screenshotName(at, 'image/jpeg')).toBe('screenshot-20261203-090507.jpg');
    expect(fileName({ name: 'image.png', type: 'image/png' }, true, at)).toBe('screenshot-20261203-090507.png');
    expect(fileName({ name: '', type: 'image/png' }, true, at)).toBe('screenshot-20261203-090507.png');
  });

  it('keeps the name of a picked or dropped file, and of a pasted file that has one', () => {
    expect(fileName({ name: 'image.png', type: 'image/png' }, false, at)).toBe('image.png');
    expect(fileName({ name: 'holiday.jpg', type: 'image/jpeg' }, true, at)).toBe('holiday.jpg');
    expect(fileName({ name: 'report.pdf', type: 'application/pdf' }, true, at)).toBe('report.pdf');
  });
});

describe('widget attachments: the outbox and the list', () => {
  it('keeps a file send in chat_outbox with its name, size and type (the bytes are elsewhere)', () => {
    const item = { client_message_id: 'c-1', body: '', created_at: '2026-01-01T00:00:00Z', file: PNG };
    expect(isOutboxItem(item)).toBe(true);
    expect(isOutboxItem({ ...item, file: { name: 'a.png' } })).toBe(false);
    expect(isOutboxItem({ ...item, file: null })).toBe(false);
  });

  it('shows a sent file with its address, and a pending one by name and size with its upload progress', () => {
    const message: ChatMessage = {
      id: 1,
      conversation_id: 1,
      seq: 1,
      sender: 'agent',
      body: '',
      created_at: '2026-01-01T00:00:00Z',
      attachments: [{ id: 9, name: 'invoice.pdf', size: 4096, type: 'application/pdf', url: '/api/files/9/invoice.pdf?expires=1&sig=ab', image: false }],
    };
    const transcript: VisitorTranscript = new Transcript();
    transcript.merge([message], true);
    transcript.addPending({ client_message_id: 'c-2', body: 'and this', created_at: '2026-01-01T00:01:00Z', file: PNG });
    const shown = viewMessages(transcript, (id) => (id === 'c-2' ? 0.25 : undefined));
    expect(shown[0]).toMatchObject({ body: '', state: 'sent', attachments: [{ name: 'invoice.pdf', size: 4096, type: 'application/pdf', image: false, url: '/api/files/9/invoice.pdf?expires=1&sig=ab' }] });
    expect(shown[0]).not.toHaveProperty('progress');
    expect(shown[1]).toMatchObject({ body: 'and this', state: 'pending', attachments: [{ ...PNG, image: false }], progress: 0.25 });
  });
});

describe('widget attachments: sending a file through the outbox', () => {
  const world = useFakeServer();

  it('starts the conversation first (without a message), then uploads the file with the typed text as its body', async () => {
    const { s, shown } = session(world.server);
    await s.checkStored(() => true);
    s.write('Here is the error', {}, { client_message_id: 'f-1', file: PNG });
    expect(shown()).toEqual(['Here is the error:pending']);
    await vi.runAllTimersAsync();
    expect(world.server.starts).toEqual([expect.not.objectContaining({ message: expect.anything() })]);
    expect(world.server.requests.filter((r) => r.startsWith('POST'))).toEqual(['POST /api/chat/start', 'POST /api/chat/1/attachments']);
    expect(shown()).toEqual(['Here is the error:sent']);
    const [message] = viewMessages(s.messages);
    expect(message?.attachments).toEqual([expect.objectContaining({ name: PNG.name, size: PNG.size, image: true, url: expect.stringMatching(/^\/api\/files\//) })]);
  });

  it('retries the same client_message_id after a lost answer, and the server stores it once', async () => {
    const store = new MemoryStore();
    const first = session(world.server, store);
    await first.s.checkStored(() => true);
    first.s.write('', {}, { client_message_id: 'f-2', file: PNG });
    world.server.loseAnswerFor.add('f-2');
    await vi.advanceTimersByTimeAsync(0);
    expect(world.server.conversations.get(1)?.messages).toHaveLength(1);
    first.s.flusher.stop();
    // A reload: a new session on the same storage sends the queued file again.
    const second = session(world.server, store);
    expect(second.shown()).toEqual([':pending']);
    expect(viewMessages(second.s.messages)[0]?.attachments).toEqual([{ ...PNG, image: false }]);
    await second.s.checkStored(() => true);
    await vi.runAllTimersAsync();
    expect(world.server.requests.filter((r) => r.endsWith('/attachments'))).toHaveLength(2);
    expect(world.server.conversations.get(1)?.messages.filter((m) => m.client_message_id === 'f-2')).toHaveLength(1);
    expect(store.getItem(KEYS.outbox)).toBeNull();
  });

  it('shows a file the server refuses for good as not sent, and sends what was queued after it', async () => {
    const { s, shown } = session(world.server);
    await s.checkStored(() => true);
    s.write('first');
    await vi.runAllTimersAsync();
    world.server.uploadAnswers.push(failureOf(415, { error: { code: 'unsupported_media_type', message: 'Not accepted.', fields: { file: 'type' } } }));
    s.write('', {}, { client_message_id: 'f-3', file: { name: 'a.exe', size: 10, type: '' } });
    s.write('after');
    await vi.runAllTimersAsync();
    expect(shown()).toEqual(['first:sent', 'after:sent', ':failed']);
  });
});

describe('widget attachments: the file sender (bytes kept until the server has them)', () => {
  class Bytes implements FileBytes {
    readonly map = new Map<string, Blob>();
    put = async (key: string, blob: Blob) => void this.map.set(key, blob);
    get = async (key: string) => this.map.get(key);
    delete = async (key: string) => void this.map.delete(key);
    keys = async () => [...this.map.keys()];
  }

  function sender(answer: ApiResult<{ message: ChatMessage }>) {
    const bytes = new Bytes();
    const requests: UploadRequest[] = [];
    const progress: [string, number | undefined][] = [];
    const files = new FileSender({
      bytes,
      server: 'https://chat.example',
      token: () => 'tok',
      fingerprint: () => 'fp',
      progress: (id, value) => progress.push([id, value]),
      upload: (request) => {
        requests.push(request);
        request.onProgress?.(50, 100);
        request.onProgress?.(100, 100);
        return { done: Promise.resolve(answer), abort: () => undefined };
      },
    });
    return { bytes, requests, progress, files };
  }
  const item: OutboxItem = { client_message_id: 'c-1', body: 'see this', created_at: '', file: PNG };
  const blob = new Blob(['png bytes'], { type: 'image/png' });
  const created = { ok: true, status: 201, data: { message: { id: 1 } as ChatMessage } } as const;

  it('uploads to the conversation with the visitor token, the id and the text, reporting progress', async () => {
    const { files, bytes, requests, progress } = sender(created);
    await files.keep('c-1', blob);
    expect(bytes.map.has('c-1')).toBe(true);
    await expect(files.send(7, item)).resolves.toEqual(created);
    expect(requests[0]).toMatchObject({ url: 'https://chat.example/api/chat/7/attachments', fileName: PNG.name, fields: { client_message_id: 'c-1', body: 'see this' }, headers: { Authorization: 'Bearer tok', 'X-Client-Fingerprint': 'fp' } });
    expect(requests[0]?.file).toBe(blob);
    expect(progress).toEqual([['c-1', 0], ['c-1', 0.5], ['c-1', 1], ['c-1', undefined]]);
  });

  it('deletes the stored bytes once the server has the file, or refused it for good; keeps them to retry', async () => {
    const acked = sender(created);
    await acked.files.keep('c-1', blob);
    await acked.files.send(7, item);
    expect(acked.bytes.map.size).toBe(0);

    const refused = sender(failureOf(413, { error: { code: 'payload_too_large', message: 'Too large.' } }));
    await refused.files.keep('c-1', blob);
    await refused.files.send(7, item);
    expect(refused.bytes.map.size).toBe(0);

    const offline = sender(networkFailure());
    await offline.files.keep('c-1', blob);
    await offline.files.send(7, item);
    expect(offline.bytes.map.has('c-1')).toBe(true);
  });

  it('finds the bytes in storage after a reload, and fails for good when they are gone', async () => {
    const { files, bytes, requests } = sender(created);
    bytes.map.set('c-1', blob);
    await files.send(7, item);
    expect(requests[0]?.file).toBe(blob);
    const missing = await files.send(7, { ...item, client_message_id: 'c-2' });
    expect(missing).toMatchObject({ ok: false, status: 400, error: { code: 'bad_request' } });
    expect(requests).toHaveLength(1);
  });

  it('deletes stored bytes no queued item needs (an ended conversation\'s unsent files)', async () => {
    const { files, bytes } = sender(created);
    bytes.map.set('old', blob);
    bytes.map.set('queued', blob);
    await files.keep('new', blob);
    await files.prune(() => ['queued']);
    expect([...bytes.map.keys()].sort()).toEqual(['new', 'queued']);
  });
});

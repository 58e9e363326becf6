import { describe, expect, it } from 'vitest';
import { conversationFiles, downloadLabel, humanSize, previewText } from '../web/dashboard/attachments/attachment-text.js';
import { AttachmentTray, MAX_STAGED } from '../web/dashboard/attachments/tray.js';
import type { Attachment, Message } from '../web/dashboard/types.js';

// How the dashboard shows files (docs/dashboard.md, "Attachments"): sizes, previews, the visitor
// panel's Files list, and the tray of files waiting to be sent.

const file = (id: number, name: string, extra: Partial<Attachment> = {}): Attachment => ({ id, name, size: 1000, type: 'application/pdf', url: `/api/files/${id}/${name}?expires=1&sig=0`, image: false, ...extra });
const message = (seq: number, sender: Message['sender'], body: string, attachments?: Attachment[], extra: Partial<Message> = {}): Message => ({
  id: seq,
  conversation_id: 1,
  seq,
  sender,
  body,
  created_at: `2026-12-01T10:00:0${seq}.000Z`,
  ...(attachments ? { attachments } : {}),
  ...extra,
});

describe('file sizes in words', () => {
  it.each([
    [0, '0 B'],
    [532, '532 B'],
    [1024, '1 KB'],
    [1536, '1.5 KB'],
    [12_800, '13 KB'],
    [10 * 1024 * 1024, '10 MB'],
    [2.25 * 1024 * 1024 * 1024, '2.3 GB'],
  ])('%i bytes read "%s"', (bytes, words) => {
    expect(humanSize(bytes)).toBe(words);
  });

  it('names a download link by what it does, the file and its size', () => {
    expect(downloadLabel({ name: 'invoice.pdf', size: 2048 })).toBe('Download invoice.pdf (2 KB)');
  });
});

describe('a message in one line (inbox, earlier conversations, notifications)', () => {
  it('is its text when it has some, files or not', () => {
    expect(previewText(message(1, 'visitor', 'Here it is', [file(1, 'a.pdf')]))).toBe('Here it is');
  });

  it('names the file of a message with only one file, and counts several', () => {
    expect(previewText(message(1, 'visitor', '', [file(1, 'photo.png', { image: true })]))).toBe('📎 photo.png');
    expect(previewText(message(1, 'agent', '', [file(1, 'a.pdf'), file(2, 'b.pdf'), file(3, 'c.pdf')]))).toBe('📎 3 files');
  });
});

describe("the visitor panel's Files", () => {
  it('lists every file of the conversation newest first, with who sent it', () => {
    const files = conversationFiles(
      [
        message(1, 'visitor', 'hi', [file(1, 'first.png', { image: true })]),
        message(2, 'agent', 'no files'),
        message(3, 'agent', '', [file(2, 'reply.pdf')], { author_name: 'Ann' }),
        message(4, 'visitor', '', [file(3, 'last.txt')]),
      ],
      'Vera',
    );
    expect(files.map((f) => [f.attachment.name, f.from, f.seq])).toEqual([
      ['last.txt', 'Vera', 4],
      ['reply.pdf', 'Ann', 3],
      ['first.png', 'Vera', 1],
    ]);
  });

  it('is empty for a conversation without files', () => {
    expect(conversationFiles([message(1, 'visitor', 'hi')], 'Vera')).toEqual([]);
  });
});

describe('the tray of files to send', () => {
  const blob = (bytes: number, type = 'application/pdf') => new Blob([new Uint8Array(bytes)], { type });

  it('keeps each conversation’s files apart, in the order added, with their sizes', () => {
    const tray = new AttachmentTray();
    tray.add(1, [{ blob: blob(10), name: 'a.pdf', type: 'application/pdf' }]);
    tray.add(2, [{ blob: blob(20), name: 'b.pdf', type: 'application/pdf' }]);
    tray.add(1, [{ blob: blob(30), name: 'c.pdf', type: 'application/pdf' }]);
    expect(tray.list(1).map((f) => [f.name, f.size])).toEqual([
      ['a.pdf', 10],
      ['c.pdf', 30],
    ]);
    expect(tray.list(2).map((f) => f.name)).toEqual(['b.pdf']);
    expect(tray.list(null)).toEqual([]);
  });

  it('names a pasted image that has no name after its type', () => {
    const tray = new AttachmentTray();
    const [pasted] = tray.add(1, [{ blob: blob(5, 'image/png'), name: '', type: 'image/png' }]);
    expect(pasted?.name).toMatch(/^pasted-\d+\.png$/);
  });

  it('removes one file, shows a thumbnail once read, and gives the files up when sent', () => {
    const tray = new AttachmentTray();
    let changes = 0;
    tray.subscribe(() => (changes += 1));
    const [a, b] = tray.add(1, [
      { blob: blob(1), name: 'a.png', type: 'image/png' },
      { blob: blob(2), name: 'b.pdf', type: 'application/pdf' },
    ]);
    tray.setPreview(a?.key ?? '', 'data:image/png;base64,AAAA');
    expect(tray.list(1)[0]?.preview).toBe('data:image/png;base64,AAAA');
    tray.remove(1, b?.key ?? '');
    expect(tray.list(1).map((f) => f.name)).toEqual(['a.png']);
    expect(tray.take(1).map((f) => f.name)).toEqual(['a.png']);
    expect(tray.list(1)).toEqual([]);
    expect(changes).toBe(4);
  });

  it(`holds at most ${MAX_STAGED} files per conversation`, () => {
    const tray = new AttachmentTray();
    const many = Array.from({ length: MAX_STAGED + 3 }, (_, i) => ({ blob: blob(1), name: `f${i}.pdf`, type: 'application/pdf' }));
    expect(tray.add(1, many)).toHaveLength(MAX_STAGED);
    expect(tray.add(1, many)).toEqual([]);
    expect(tray.list(1)).toHaveLength(MAX_STAGED);
  });
});

import { describe, expect, it } from 'vitest';
import type { AttachmentDto, MessageDto } from '../src/chat/dto.js';
import { FilePurge, purgeWithFiles } from '../src/compose/files-for.js';
import { storesOf } from '../src/compose/stores.js';
import { DatabaseFileStore } from '../src/storage/file-store-database.js';
import { expectFailure } from './support/agent-api.js';
import {
  countRows,
  GPS_LATITUDE,
  JPEG_SCAN,
  jpegSegments,
  jpegWithGps,
  onlyAttachment,
  png,
  PNG_FILE,
  startChat,
  TEXT_AS_PNG,
  textFile,
  upload,
  uploadParts,
  URL_PATTERN,
  visitorUpload,
  type FilePart,
} from './support/attachments.js';
import { ENGINES } from './support/engines.js';
import { useHarness, type Harness } from './support/harness.js';

/** Downloads (docs/api.md, "Attachments", "Downloading a file"): the signed URL is the permission; headers keep files inert. */

const HOUR_S = 3600;

async function sent(h: Harness, file: FilePart): Promise<AttachmentDto> {
  const chat = await startChat(h);
  const res = await visitorUpload(h, chat, uploadParts(file));
  expect(res.statusCode, res.body).toBe(201);
  return onlyAttachment(res.json<{ message: MessageDto }>().message);
}

/** A GET (or HEAD) with no cookie, no token: nothing but the URL. */
const fetchFile = (h: Harness, url: string, method: 'GET' | 'HEAD' = 'GET') => h.app.inject({ method, url, remoteAddress: '192.0.2.99' });

/** The URL's parts: id, encoded name, expiry (unix seconds) and signature. */
function parts(url: string): { id: number; name: string; expires: number; sig: string } {
  const [, id, name, expires, sig] = URL_PATTERN.exec(url) ?? [];
  return { id: Number(id), name: name as string, expires: Number(expires), sig: sig as string };
}

describe.each(ENGINES)('attachment downloads on %s', (engine) => {
  const harness = useHarness(engine, { CHAT_RATE_LIMIT_UPLOAD: '10000/1m' });

  describe('the signed URL', () => {
    it('serves the file to anyone holding it, without a token or a cookie', async () => {
      const h = harness.h;
      const attachment = await sent(h, PNG_FILE);
      const res = await fetchFile(h, attachment.url);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.rawPayload.length).toBe(attachment.size);
      expect(res.rawPayload.subarray(0, 8)).toEqual(png().subarray(0, 8));
    });

    it('expires at the end of the next whole hour: valid 1–2 h, then 404 not_found', async () => {
      const h = harness.h;
      const attachment = await sent(h, PNG_FILE);
      const { expires } = parts(attachment.url);
      const now = h.clock.now() / 1000;
      expect(expires % HOUR_S).toBe(0);
      expect(expires - now).toBeGreaterThan(HOUR_S - 1);
      expect(expires - now).toBeLessThanOrEqual(2 * HOUR_S);
      h.clock.advance((expires - now) * 1000 - 1000);
      expect((await fetchFile(h, attachment.url)).statusCode).toBe(200);
      h.clock.advance(2000);
      expectFailure(await fetchFile(h, attachment.url), 404, 'not_found');
    });

    it('answers 404 not_found, all alike, to a tampered signature, another expiry, another id, an unknown id or no signature', async () => {
      const h = harness.h;
      const first = await sent(h, PNG_FILE);
      const second = await sent(h, TEXT_AS_PNG);
      const { id, name, expires, sig } = parts(first.url);
      const flipped = `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`;
      const refused = [
        `/api/files/${id}/${name}?expires=${expires}&sig=${flipped}`,
        `/api/files/${id}/${name}?expires=${expires + HOUR_S}&sig=${sig}`,
        `/api/files/${parts(second.url).id}/${name}?expires=${expires}&sig=${sig}`,
        `/api/files/999999/${name}?expires=${expires}&sig=${sig}`,
        `/api/files/${id}/${name}?expires=${expires}`,
        `/api/files/${id}/${name}`,
        `/api/files/${id}/${name}?expires=${expires}&sig=${sig.toUpperCase()}x`,
      ];
      for (const url of refused) {
        const res = await fetchFile(h, url);
        expectFailure(res, 404, 'not_found');
        expect(res.body, url).not.toContain('PNG');
      }
    });

    it('answers HEAD with the same headers and no body', async () => {
      const h = harness.h;
      const attachment = await sent(h, PNG_FILE);
      const get = await fetchFile(h, attachment.url);
      const head = await fetchFile(h, attachment.url, 'HEAD');
      expect(head.statusCode).toBe(200);
      expect(head.body).toBe('');
      for (const name of ['content-type', 'content-disposition', 'x-content-type-options', 'content-security-policy', 'cache-control', 'content-length']) {
        expect(head.headers[name], name).toEqual(get.headers[name]);
      }
    });
  });

  describe('headers that keep a file inert', () => {
    it('serves a raster image inline, as its detected type, nosniff, sandboxed, privately cached until expiry', async () => {
      const h = harness.h;
      const attachment = await sent(h, PNG_FILE);
      const res = await fetchFile(h, attachment.url);
      const maxAge = parts(attachment.url).expires - h.clock.now() / 1000;
      expect(res.headers).toMatchObject({
        'content-type': 'image/png',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox",
        'cross-origin-resource-policy': 'cross-origin',
        'content-length': String(attachment.size),
      });
      expect(res.headers['content-disposition']).toMatch(/^inline; filename="screenshot\.png"/);
      const cacheControl = /^private, max-age=(\d+)$/.exec(res.headers['cache-control'] as string);
      expect(Math.abs(Number(cacheControl?.[1]) - maxAge), res.headers['cache-control'] as string).toBeLessThanOrEqual(1);
      expect(res.headers['set-cookie']).toBeUndefined();
    });

    it('serves anything else as a download: text named x.png is text/plain, attachment, named x.png.txt', async () => {
      const h = harness.h;
      const attachment = await sent(h, TEXT_AS_PNG);
      const res = await fetchFile(h, attachment.url);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="x.png.txt"; filename*=UTF-8''x.png.txt`);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.body).toBe(TEXT_AS_PNG.data);
    });

    it('names a file with non-ASCII characters by filename* (RFC 5987), with an ASCII fallback', async () => {
      const h = harness.h;
      const attachment = await sent(h, textFile(20, 'Résumé 2026 📄.txt'));
      expect(attachment.name).toBe('Résumé 2026 📄.txt');
      const disposition = (await fetchFile(h, attachment.url)).headers['content-disposition'] as string;
      expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
      expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent('Résumé 2026 📄.txt')}`);
      expect(disposition).not.toMatch(/[^\x20-\x7e]/);
    });
  });

  describe('image metadata', () => {
    it("removes the GPS position and comments from a visitor's JPEG, keeping the picture", async () => {
      const h = harness.h;
      const original = jpegWithGps();
      expect(original.indexOf(GPS_LATITUDE), 'the phone wrote its position').toBeGreaterThan(0);
      const attachment = await sent(h, { name: 'file', filename: 'IMG_0001.jpg', type: 'image/jpeg', data: original });
      expect(attachment).toMatchObject({ type: 'image/jpeg', image: true });
      const res = await fetchFile(h, attachment.url);
      const downloaded = res.rawPayload;
      expect(downloaded.length).toBe(attachment.size);
      expect(downloaded.length).toBeLessThan(original.length);
      expect(downloaded.indexOf(GPS_LATITUDE)).toBe(-1);
      expect(downloaded.indexOf('Downing')).toBe(-1);
      const markers = jpegSegments(downloaded).map((s) => s.marker);
      expect(markers).not.toContain(0xfe);
      expect(jpegSegments(downloaded).filter((s) => s.marker === 0xe1 && s.payload.subarray(0, 4).toString('latin1') === 'Exif')).toEqual([]);
      expect(markers).toEqual([0xe0, 0xdb, 0xc0, 0xc4, 0xda]);
      expect(downloaded.subarray(-JPEG_SCAN.length)).toEqual(JPEG_SCAN);
    });

    it("removes text chunks from an agent's PNG too", async () => {
      const h = harness.h;
      const chat = await startChat(h);
      const agent = await h.loginAs();
      const res = await upload(h, `/api/agent/conversations/${chat.id}/attachments`, uploadParts({ name: 'file', filename: 'a.png', type: 'image/png', data: png('Author: Jane, 12 Elm St') }), agent.headers);
      expect(res.statusCode, res.body).toBe(201);
      const downloaded = (await fetchFile(h, onlyAttachment(res.json<{ message: MessageDto }>().message).url)).rawPayload;
      expect(downloaded.indexOf('Elm St')).toBe(-1);
      expect(downloaded.indexOf('IDAT')).toBeGreaterThan(0);
    });
  });

  describe('purge', () => {
    it("deletes a purged conversation's attachment rows and stored bytes, and its URL answers 404", async () => {
      const h = harness.h;
      const kept = await sent(h, PNG_FILE);
      const chat = await startChat(h);
      const gone = onlyAttachment((await visitorUpload(h, chat, uploadParts(TEXT_AS_PNG))).json<{ message: MessageDto }>().message);
      const agent = await h.loginAs();
      expect((await h.request({ method: 'POST', url: `/api/agent/conversations/${chat.id}/close`, headers: agent.headers })).statusCode).toBe(200);
      const before = await countRows(h);
      h.clock.advance(1000);
      expect(await purge(h, h.clock.now(), h.clock.now())).toEqual({ conversations: 1, files: 1, orphans: 0 });
      const after = await countRows(h);
      expect(after.attachments).toBe(before.attachments - 1);
      expect(after.blobs).toBe(before.blobs - 1);
      expect((await fetchFile(h, kept.url)).statusCode).toBe(200);
      expect((await fetchFile(h, gone.url)).statusCode).toBe(404);
    });

    it('deletes stored bytes no attachment row points at once they are an hour old, and no sooner', async () => {
      const h = harness.h;
      const kept = await sent(h, PNG_FILE);
      await new DatabaseFileStore(h.parley.storage.db, () => h.clock.now()).put('0'.repeat(32), png(), 'image/png');
      const before = await countRows(h);
      expect(await purge(h, undefined, h.clock.now() + 30 * 60_000)).toMatchObject({ orphans: 0 });
      expect(await countRows(h)).toEqual(before);
      expect(await purge(h, undefined, h.clock.now() + 2 * 3_600_000)).toMatchObject({ orphans: 1 });
      expect(await countRows(h)).toEqual({ ...before, blobs: before.blobs - 1 });
      expect((await fetchFile(h, kept.url)).statusCode, 'a file of a message is no orphan').toBe(200);
    });
  });
});

/** What `parley purge` runs for conversations and files (src/cli.ts): retention off when `closedBefore` is undefined. */
function purge(h: Harness, closedBefore: number | undefined, now: number) {
  const { conversations, attachments } = storesOf(h.parley.storage);
  return purgeWithFiles(conversations, FilePurge.for(h.config, h.parley.storage, attachments), closedBefore, now);
}

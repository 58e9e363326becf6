import { request } from 'node:http';
import { Readable } from 'node:stream';
import { deflateSync } from 'node:zlib';
import { sql, type Kysely } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { AttachmentDto, MessageDto } from '../../src/chat/dto.js';
import type { Database } from '../../src/storage/schema.js';
import type { Harness } from './harness.js';
import { PNG_SIGNATURE, pngChunk } from './image-fixtures.js';

/**
 * Files and multipart bodies for the attachment suites (docs/api.md, "Attachments"): real bytes of
 * each kind the policy judges, built here so no fixture file is needed.
 */

export interface FilePart {
  name: string;
  filename: string;
  /** The part's own Content-Type: what the client claims; the server detects the type itself. */
  type?: string;
  data: Uint8Array | string;
}
export type Part = FilePart | { name: string; value: string };

export const BOUNDARY = '----parley-test-boundary-7MA4YWxkTrZu0gW';

/** A multipart/form-data body with the parts in order (fields may come before or after the file). */
export function multipart(parts: Part[], boundary = BOUNDARY): { payload: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('value' in part) {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`));
    } else {
      const head = `Content-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.type ?? 'application/octet-stream'}\r\n\r\n`;
      chunks.push(Buffer.from(head), Buffer.from(part.data), Buffer.from('\r\n'));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The parts of one upload: the file, then `client_message_id` and `body` when given. */
export function uploadParts(file: FilePart | undefined, fields: { client_message_id?: string; body?: string } = {}): Part[] {
  const parts: Part[] = file ? [file] : [];
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) parts.push({ name, value });
  return parts;
}

/** A valid 2×2 RGB PNG, with a `tEXt` comment when `comment` is given. */
export function png(comment?: string): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(2, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.from([0, 255, 0, 0, 0, 0, 255, 0, 0, 0, 255, 0, 255, 255, 255]);
  return Buffer.concat([
    Buffer.from(PNG_SIGNATURE),
    pngChunk('IHDR', header),
    ...(comment === undefined ? [] : [pngChunk('tEXt', Buffer.from(`Comment\0${comment}`, 'latin1'))]),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND'),
  ]);
}

/** The latitude a phone wrote into the JPEG's GPS IFD: 51° 30′ 12.3456″ as three rationals. */
export const GPS_LATITUDE = Buffer.from([51, 0, 0, 0, 1, 0, 0, 0, 30, 0, 0, 0, 1, 0, 0, 0, 0x40, 0xe2, 0x01, 0, 0x10, 0x27, 0, 0]);

/** A little-endian TIFF with IFD0 pointing at a GPS IFD (latitude N, GPS_LATITUDE): what phones write. */
function exifWithGps(): Buffer {
  const tiff = Buffer.alloc(80);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(1, 8); // IFD0: one entry, GPSInfo
  tiff.writeUInt16LE(0x8825, 10);
  tiff.writeUInt16LE(4, 12);
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt32LE(26, 18);
  tiff.writeUInt32LE(0, 22);
  tiff.writeUInt16LE(2, 26); // GPS IFD: latitude ref and latitude
  tiff.writeUInt16LE(1, 28);
  tiff.writeUInt16LE(2, 30);
  tiff.writeUInt32LE(2, 32);
  tiff.write('N\0\0\0', 36, 'latin1');
  tiff.writeUInt16LE(2, 40);
  tiff.writeUInt16LE(5, 42);
  tiff.writeUInt32LE(3, 44);
  tiff.writeUInt32LE(56, 48);
  tiff.writeUInt32LE(0, 52);
  GPS_LATITUDE.copy(tiff, 56);
  return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
}

function segment(marker: number, payload: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/** The entropy-coded part of `jpeg()`: one grey 8×8 block (DC 0, then end of block). */
export const JPEG_SCAN = Buffer.from([0x3f, 0xff, 0xd9]);

/** A valid baseline greyscale 8×8 JPEG carrying an Exif APP1 with the phone's GPS position. */
export function jpegWithGps(): Buffer {
  const huffman = (tableClass: number) => Buffer.from([tableClass << 4, 1, ...new Array<number>(15).fill(0), 0]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0])),
    segment(0xe1, exifWithGps()),
    segment(0xfe, Buffer.from('shot at 10 Downing Street', 'latin1')),
    segment(0xdb, Buffer.from([0, ...new Array<number>(64).fill(1)])),
    segment(0xc0, Buffer.from([8, 0, 8, 0, 8, 1, 1, 0x11, 0])),
    segment(0xc4, Buffer.concat([huffman(0), huffman(1)])),
    segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])),
    JPEG_SCAN,
  ]);
}

/** The markers of a JPEG's segments before its scan, with their payloads. */
export function jpegSegments(data: Uint8Array): { marker: number; payload: Buffer }[] {
  const bytes = Buffer.from(data);
  const found: { marker: number; payload: Buffer }[] = [];
  let at = 2;
  for (let guard = 0; guard < 100 && at + 4 <= bytes.length && bytes[at] === 0xff; guard += 1) {
    const marker = bytes[at + 1] as number;
    const length = bytes.readUInt16BE(at + 2);
    found.push({ marker, payload: bytes.subarray(at + 4, at + 2 + length) });
    if (marker === 0xda) break;
    at += 2 + length;
  }
  return found;
}

export const HTML_AS_PNG: FilePart = { name: 'file', filename: 'cat.png', type: 'image/png', data: '<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>' };
export const SVG_WITH_SCRIPT: FilePart = {
  name: 'file',
  filename: 'logo.svg',
  type: 'image/svg+xml',
  data: '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>',
};
export const TEXT_AS_PNG: FilePart = { name: 'file', filename: 'x.png', type: 'image/png', data: 'Order #1042 arrived broken.\nPhotos to follow.\n' };
export const PNG_FILE: FilePart = { name: 'file', filename: 'screenshot.png', type: 'image/png', data: png() };
/** A text file of `bytes` bytes (valid UTF-8, no markup). */
export const textFile = (bytes: number, filename = 'log.txt'): FilePart => ({ name: 'file', filename, type: 'text/plain', data: 'a'.repeat(bytes - 1) + '\n' });

/** Rows of the tables an upload writes, counted with plain SQL (the same on both engines). */
export async function countTables(db: Kysely<Database>): Promise<{ messages: number; attachments: number; blobs: number }> {
  const count = async (table: string) => {
    const result = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
    return Number(result.rows[0]?.n ?? 0);
  };
  return { messages: await count('messages'), attachments: await count('attachments'), blobs: await count('attachment_blobs') };
}

/** `countTables` of a harness's database. */
export const countRows = (h: Harness) => countTables(h.parley.storage.db);

/** Posts `parts` as multipart/form-data to `url` with `headers` (a bearer token, or a session and CSRF token). */
export function upload(h: Harness, url: string, parts: Part[], headers: Record<string, string> = {}, ip?: string): Promise<LightMyRequestResponse> {
  const { payload, contentType } = multipart(parts);
  return h.request({ method: 'POST', url, payload, headers: { 'content-type': contentType, ...headers }, ...(ip ? { ip } : {}) });
}

export const URL_PATTERN = /^\/api\/files\/(\d+)\/([^/?]+)\?expires=(\d+)&sig=([0-9a-f]+)$/;

/** The one attachment of an upload's answer, checked against the wire shape (AttachmentDto). */
export function onlyAttachment(message: MessageDto): AttachmentDto {
  expect(message.attachments, JSON.stringify(message)).toHaveLength(1);
  const attachment = message.attachments?.[0] as AttachmentDto;
  expect(Object.keys(attachment).sort()).toEqual(['id', 'image', 'name', 'size', 'type', 'url']);
  expect(attachment.url).toMatch(URL_PATTERN);
  return attachment;
}

let fingerprints = 0;

/** A visitor's conversation: its id and bearer token. */
export interface Chat {
  id: number;
  token: string;
}

/** A visitor's new conversation, started with one message (seq 1). */
export async function startChat(h: Harness, ip = '203.0.113.10'): Promise<Chat> {
  const fingerprint = `fp${String(++fingerprints).padStart(14, '0')}attach`;
  const res = await h.request({ method: 'POST', url: '/api/chat/start', ip, json: { fingerprint, message: 'Hello', client_message_id: `start-${fingerprints}` } });
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json<{ conversation: { id: number }; visitor_token: string }>();
  return { id: body.conversation.id, token: body.visitor_token };
}

/** `POST /api/chat/{id}/attachments` with the visitor's token. */
export const visitorUpload = (h: Harness, chat: Chat, parts: Part[], ip?: string): Promise<LightMyRequestResponse> =>
  upload(h, `/api/chat/${chat.id}/attachments`, parts, { authorization: `Bearer ${chat.token}` }, ip);

export interface StreamedAnswer {
  status: number;
  body: string;
  /** Bytes the request had taken from its source when the answer's head arrived. */
  readBeforeAnswer: number;
}

/**
 * Streams, over real HTTP on 127.0.0.1 and chunked (no Content-Length to judge by), a multipart upload
 * whose file would be `fileBytes` long; generated lazily, so only what the connection takes is made.
 * Resolves with the answer, then ends the request; rejects after `timeoutMs`.
 */
export function streamUpload(port: number, path: string, headers: Record<string, string>, fileBytes: number, timeoutMs = 15_000): Promise<StreamedAnswer> {
  let read = 0;
  function* parts(): Generator<Buffer> {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    yield Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\nContent-Type: text/plain\r\n\r\n`);
    for (let sent = 0; sent < fileBytes; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, fileBytes - sent));
    yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  }
  const source = Readable.from(
    (function* counted() {
      for (const part of parts()) {
        read += part.length;
        yield part;
      }
    })(),
  );
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { ...headers, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } });
    const timer = setTimeout(() => finish(new Error(`no answer to the streamed upload within ${timeoutMs} ms (${read} bytes read)`)), timeoutMs);
    let answered = false;
    const finish = (outcome: Error | StreamedAnswer) => {
      clearTimeout(timer);
      source.destroy();
      req.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    req.on('response', (res) => {
      answered = true;
      const readBeforeAnswer = read;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => finish({ status: res.statusCode ?? 0, body, readBeforeAnswer }));
      res.on('error', (error) => finish(error));
    });
    // A reset after the answer is the server refusing the rest: judged by the answer.
    req.on('error', (error) => {
      if (!answered) finish(error);
    });
    source.pipe(req);
  });
}

/** Small real files built byte by byte, for the attachment safety tests. */
import { crc32, deflateSync } from 'node:zlib';

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const latin1 = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

export function concat(...parts: (Uint8Array | readonly number[])[]): Uint8Array {
  const arrays = parts.map((part) => Uint8Array.from(part));
  const out = new Uint8Array(arrays.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of arrays) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Index of `needle` in `haystack`, or -1. */
export function indexOf(haystack: Uint8Array, needle: Uint8Array | readonly number[] | string, from = 0): number {
  const target = Uint8Array.from(typeof needle === 'string' ? latin1(needle) : needle);
  outer: for (let i = from; i + target.length <= haystack.length; i += 1) {
    for (let j = 0; j < target.length; j += 1) if (haystack[i + j] !== target[j]) continue outer;
    return i;
  }
  return -1;
}

export function count(haystack: Uint8Array, needle: Uint8Array | string): number {
  let n = 0;
  for (let at = indexOf(haystack, needle); at !== -1; at = indexOf(haystack, needle, at + 1)) n += 1;
  return n;
}

// ---- PNG ----

export function pngChunk(type: string, data: Uint8Array | readonly number[] = []): Uint8Array {
  const body = concat(latin1(type), data);
  const head = new DataView(new ArrayBuffer(4));
  head.setUint32(0, body.length - 4);
  const tail = new DataView(new ArrayBuffer(4));
  tail.setUint32(0, crc32(body));
  return concat(new Uint8Array(head.buffer), body, new Uint8Array(tail.buffer));
}

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A valid 2×2 RGB PNG; `metadata` chunks go between IHDR and IDAT. */
export function png(metadata: Uint8Array[] = []): Uint8Array {
  const header = [0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0];
  const rows = [0, 255, 0, 0, 0, 0, 255, 0, 0, 0, 255, 0, 255, 255, 255];
  return concat(
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    ...metadata,
    pngChunk('IDAT', deflateSync(Uint8Array.from(rows))),
    pngChunk('IEND'),
  );
}

// ---- JPEG ----

/** 51° 30′ 12.3456″ as three rationals, in the byte order of the Exif block. */
export function gpsLatitude(little: boolean): Uint8Array {
  const view = new DataView(new ArrayBuffer(24));
  [51, 1, 30, 1, 123456, 10000].forEach((value, i) => view.setUint32(i * 4, value, little));
  return new Uint8Array(view.buffer);
}

/** An Exif APP1 body as phones write it: Make, Orientation, and a GPS IFD with the latitude. */
export function exif(orientation: number, little: boolean): Uint8Array {
  const tiff = new DataView(new ArrayBuffer(112));
  const u16 = (at: number, v: number) => tiff.setUint16(at, v, little);
  const u32 = (at: number, v: number) => tiff.setUint32(at, v, little);
  const entry = (at: number, tag: number, type: number, n: number, value: number) => {
    u16(at, tag);
    u16(at + 2, type);
    u32(at + 4, n);
    if (type === 3 && n === 1) u16(at + 8, value);
    else u32(at + 8, value);
  };
  u16(0, little ? 0x4949 : 0x4d4d);
  u16(2, 42);
  u32(4, 8);
  u16(8, 3); // IFD0: Make, Orientation, GPSInfo
  entry(10, 0x010f, 2, 8, 50);
  entry(22, 0x0112, 3, 1, orientation);
  entry(34, 0x8825, 4, 1, 58);
  u32(46, 0);
  latin1('Pixel 9\0').forEach((c, i) => tiff.setUint8(50 + i, c));
  u16(58, 2); // GPS IFD: GPSLatitudeRef, GPSLatitude
  entry(60, 0x0001, 2, 2, 0);
  tiff.setUint8(68, 0x4e); // 'N'
  entry(72, 0x0002, 5, 3, 88);
  u32(84, 0);
  const out = new Uint8Array(tiff.buffer);
  out.set(gpsLatitude(little), 88);
  return concat(latin1('Exif\0\0'), out);
}

export function segment(marker: number, payload: Uint8Array | readonly number[]): Uint8Array {
  const length = payload.length + 2;
  return concat([0xff, marker, length >> 8, length & 0xff], payload);
}

export const JFIF = segment(0xe0, latin1('JFIF\0\x01\x01\0\0\x01\0\x01\0\0'));
export const ICC = segment(0xe2, latin1('ICC_PROFILE\0\x01\x01fake-profile'));
export const ADOBE = segment(0xee, latin1('Adobe\0\x64\0\0\0\0\x01'));
export const XMP = segment(0xe1, latin1('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>GPSLatitude</x:xmpmeta>'));
export const IPTC = segment(0xed, latin1('Photoshop 3.0\x008BIM\x04\x04\0\0\0\0\0\x05Paris'));
export const COMMENT = segment(0xfe, latin1('shot at 10 Downing Street'));
export const MPF = segment(0xe2, latin1('MPF\0II*\0preview-index'));

/** Tables, frame and scan of a valid baseline 8×8 grey JPEG (one DC-only block), ending in EOI. */
export function jpegImage(): Uint8Array {
  const huffman = (tableClass: number) => [tableClass << 4, 1, ...new Array<number>(15).fill(0), 0];
  return concat(
    segment(0xdb, [0, ...new Array<number>(64).fill(1)]),
    segment(0xc0, [8, 0, 8, 0, 8, 1, 1, 0x11, 0]),
    segment(0xc4, [...huffman(0), ...huffman(1)]),
    segment(0xda, [1, 1, 0, 0, 0x3f, 0]),
    [0x3f, 0xff, 0xd9],
  );
}

/** SOI, the given header segments, then the image. */
export function jpeg(header: Uint8Array[]): Uint8Array {
  return concat([0xff, 0xd8], ...header, jpegImage());
}

// ---- WebP ----

export function riffChunk(fourcc: string, data: Uint8Array | readonly number[]): Uint8Array {
  const size = new DataView(new ArrayBuffer(4));
  size.setUint32(0, data.length, true);
  return concat(latin1(fourcc), new Uint8Array(size.buffer), data, data.length % 2 === 1 ? [0] : []);
}

export function riff(chunks: Uint8Array[]): Uint8Array {
  const body = concat(latin1('WEBP'), ...chunks);
  const size = new DataView(new ArrayBuffer(4));
  size.setUint32(0, body.length, true);
  return concat(latin1('RIFF'), new Uint8Array(size.buffer), body);
}

export const VP8X_EXIF_XMP = riffChunk('VP8X', [0x2c, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // ICC + EXIF + XMP
/** A 1×1 lossless frame. */
export const VP8L = riffChunk('VP8L', [0x2f, 0, 0, 0, 0, 0x88, 0x88, 0x08, 0x08]);

// ---- containers ----

/** A zip archive whose entries are stored (not compressed), with a central directory. */
export function storedZip(entries: [name: string, content: string][]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [name, content] of entries) {
    const data = bytes(content);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint32(14, crc32(data), true);
    local.setUint32(18, data.length, true);
    local.setUint32(22, data.length, true);
    local.setUint16(26, name.length, true);
    const central = new DataView(new ArrayBuffer(46));
    central.setUint32(0, 0x02014b50, true);
    central.setUint16(4, 20, true);
    central.setUint16(6, 20, true);
    central.setUint32(16, crc32(data), true);
    central.setUint32(20, data.length, true);
    central.setUint32(24, data.length, true);
    central.setUint16(28, name.length, true);
    central.setUint32(42, offset, true);
    const localBytes = concat(new Uint8Array(local.buffer), bytes(name), data);
    locals.push(localBytes);
    centrals.push(concat(new Uint8Array(central.buffer), bytes(name)));
    offset += localBytes.length;
  }
  const directory = concat(...centrals);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, directory.length, true);
  end.setUint32(16, offset, true);
  return concat(...locals, directory, new Uint8Array(end.buffer));
}

/** A minimal Office Open XML package whose main part has the given type (without `.main+xml`). */
export function openXml(mainType: string, part: string): Uint8Array {
  const types = `<?xml version="1.0"?><Types><Override PartName="/${part}" ContentType="${mainType}.main+xml"/></Types>`;
  return storedZip([['[Content_Types].xml', types], ['_rels/.rels', '<Relationships/>'], [part, '<doc/>']]);
}

/** A minimal OpenDocument package: the `mimetype` entry comes first, stored. */
export function openDocument(mime: string): Uint8Array {
  return storedZip([['mimetype', mime], ['content.xml', '<office:document-content/>']]);
}

/** The header of a compound file (old .doc/.xls/.ppt, and .msi). */
export function compoundFile(): Uint8Array {
  return concat([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], new Uint8Array(504));
}

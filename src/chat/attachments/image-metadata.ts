/**
 * Removes the metadata photos carry (GPS position, camera, dates, comments, editing history)
 * before an image is stored; see docs/security.md#attachments. Only containers are rewritten:
 * pixels are never decoded, so nothing is recompressed.
 */

/** Thrown inside this module only: the bytes are not the image they claim to be. */
class Damaged extends Error {}

/**
 * The image without metadata. Damaged or unknown input comes back unchanged: an upload must
 * never fail with a server error because of what a sender's camera wrote.
 */
export function stripImageMetadata(data: Uint8Array, type: string): Uint8Array {
  try {
    switch (type) {
      case 'image/jpeg':
        return stripJpeg(data);
      case 'image/png':
        return stripPng(data);
      case 'image/webp':
        return stripWebp(data);
      default:
        return data; // GIF keeps its bytes: it carries no camera metadata worth the risk of rewriting
    }
  } catch {
    return data;
  }
}

// ---- JPEG -----------------------------------------------------------------------------------

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP0 = 0xe0;
const APP1 = 0xe1;
const APP2 = 0xe2;
const APP14 = 0xee;
const ORIENTATION_TAG = 0x0112;

interface Segment {
  readonly marker: number;
  /** Index of the segment's first 0xFF. */
  readonly start: number;
  /** Index just after the length field (equal to `end` for markers without one). */
  readonly body: number;
  readonly end: number;
}

/** Keeps APP0 (JFIF), the ICC profile (APP2) and Adobe's APP14; drops every other APPn and COM. */
function stripJpeg(data: Uint8Array): Uint8Array {
  if (data[0] !== 0xff || data[1] !== SOI) throw new Damaged();
  const segments = readJpegSegments(data);
  const exif = segments.find((s) => s.marker === APP1 && startsWith(data, s.body, EXIF_HEADER));
  const orientation = exif === undefined ? 1 : readOrientation(data.subarray(exif.body, exif.end));
  const parts: Uint8Array[] = [data.subarray(0, 2)];
  let placed = orientation === 1;
  for (const segment of segments) {
    // A JFIF APP0 must come first; the orientation block follows it.
    if (!placed && segment.marker !== APP0) {
      parts.push(orientationSegment(orientation));
      placed = true;
    }
    if (keepJpegSegment(data, segment)) parts.push(data.subarray(segment.start, segment.end));
  }
  if (!placed) parts.push(orientationSegment(orientation));
  return concat(parts);
}

const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"
const ICC_HEADER = [...'ICC_PROFILE'].map((c) => c.charCodeAt(0)).concat(0);
const ADOBE_HEADER = [...'Adobe'].map((c) => c.charCodeAt(0));

function keepJpegSegment(data: Uint8Array, segment: Segment): boolean {
  const { marker, body } = segment;
  if (marker === 0xfe) return false; // COM
  if (marker < APP0 || marker > 0xef) return true; // not an APPn: image data and tables
  if (marker === APP0) return true;
  if (marker === APP2) return startsWith(data, body, ICC_HEADER);
  if (marker === APP14) return startsWith(data, body, ADOBE_HEADER);
  return false; // Exif, XMP, Photoshop IPTC (APP13), multi-picture previews and vendor blocks
}

/** Every marker segment up to EOI; scan data stays with its SOS. Bytes after EOI are dropped. */
function readJpegSegments(data: Uint8Array): Segment[] {
  const segments: Segment[] = [];
  let pos = 2;
  while (pos < data.length) {
    if (data[pos] !== 0xff) throw new Damaged();
    let at = pos + 1;
    while (data[at] === 0xff) at += 1; // fill bytes
    const marker = data[at];
    if (marker === undefined || marker === 0 || marker === SOI) throw new Damaged();
    const body = at + 1;
    if (marker === EOI) {
      segments.push({ marker, start: pos, body, end: body });
      return segments;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      segments.push({ marker, start: pos, body, end: body }); // TEM, RSTn: no length
      pos = body;
      continue;
    }
    const length = readU16(data, body, false);
    if (length < 2 || body + length > data.length) throw new Damaged();
    const end = marker === SOS ? scanEnd(data, body + length) : body + length;
    segments.push({ marker, start: pos, body: body + 2, end });
    pos = end;
  }
  return segments; // truncated before EOI: keep what there is
}

/** Index of the marker that ends entropy-coded data (0xFF followed by neither 0 nor RSTn). */
function scanEnd(data: Uint8Array, from: number): number {
  for (let i = data.indexOf(0xff, from); i !== -1 && i + 1 < data.length; i = data.indexOf(0xff, i + 1)) {
    const next = data[i + 1] ?? 0;
    if (next !== 0 && next !== 0xff && (next < 0xd0 || next > 0xd7)) return i;
  }
  return data.length;
}

/** The Exif Orientation (1–8) of an APP1 body, or 1 when absent or unreadable. */
function readOrientation(app1: Uint8Array): number {
  try {
    return findOrientation(app1);
  } catch {
    return 1; // a broken Exif block is dropped like any other
  }
}

function findOrientation(app1: Uint8Array): number {
  const tiff = EXIF_HEADER.length;
  const order = readU16(app1, tiff, false);
  if (order !== 0x4949 && order !== 0x4d4d) return 1;
  const little = order === 0x4949;
  if (readU16(app1, tiff + 2, little) !== 42) return 1;
  const ifd = tiff + readU32(app1, tiff + 4, little);
  const count = readU16(app1, ifd, little);
  for (let i = 0; i < count; i += 1) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > app1.length) return 1;
    if (readU16(app1, entry, little) !== ORIENTATION_TAG) continue;
    if (readU16(app1, entry + 2, little) !== 3) return 1; // must be a SHORT
    const value = readU16(app1, entry + 8, little);
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}

/** An APP1 holding a big-endian Exif block with the Orientation tag and nothing else. */
function orientationSegment(orientation: number): Uint8Array {
  return Uint8Array.from([
    0xff, APP1, 0x00, 0x22, ...EXIF_HEADER,
    0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, // "MM", 42, IFD0 at 8
    0x00, 0x01, // one entry
    0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, orientation, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, // no next IFD
  ]);
}

// ---- PNG ------------------------------------------------------------------------------------

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_DROPPED = new Set(['eXIf', 'tEXt', 'zTXt', 'iTXt', 'tIME']);

/** Kept chunks are copied byte for byte, so their CRCs stay valid. Bytes after IEND are dropped. */
function stripPng(data: Uint8Array): Uint8Array {
  if (!startsWith(data, 0, PNG_SIGNATURE)) throw new Damaged();
  const parts: Uint8Array[] = [data.subarray(0, 8)];
  let pos = 8;
  while (pos < data.length) {
    if (pos + 12 > data.length) throw new Damaged();
    const end = pos + 12 + readU32(data, pos, false);
    if (end > data.length) throw new Damaged();
    const type = ascii(data, pos + 4, 4);
    if (!PNG_DROPPED.has(type)) parts.push(data.subarray(pos, end));
    pos = end;
    if (type === 'IEND') break;
  }
  return concat(parts);
}

// ---- WebP -----------------------------------------------------------------------------------

const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;

/** Drops the EXIF and XMP chunks, clears their VP8X flags and rewrites the RIFF size. */
function stripWebp(data: Uint8Array): Uint8Array {
  if (ascii(data, 0, 4) !== 'RIFF' || ascii(data, 8, 4) !== 'WEBP') throw new Damaged();
  const riffEnd = Math.min(8 + readU32(data, 4, true), data.length);
  const parts: Uint8Array[] = [];
  let pos = 12;
  while (pos + 8 <= riffEnd) {
    const fourcc = ascii(data, pos, 4);
    const size = readU32(data, pos + 4, true);
    if (pos + 8 + size > riffEnd) throw new Damaged();
    const end = Math.min(pos + 8 + size + (size & 1), riffEnd); // chunks are padded to even sizes
    if (fourcc === 'VP8X' && size >= 1) {
      const chunk = data.slice(pos, end);
      chunk[8] = (chunk[8] ?? 0) & ~(VP8X_EXIF | VP8X_XMP);
      parts.push(chunk);
    } else if (fourcc !== 'EXIF' && fourcc !== 'XMP ') {
      parts.push(data.subarray(pos, end));
    }
    pos = end;
  }
  const body = concat(parts);
  const header = new Uint8Array(12);
  header.set(data.subarray(0, 12));
  new DataView(header.buffer).setUint32(4, body.length + 4, true);
  return concat([header, body]);
}

// ---- bytes ----------------------------------------------------------------------------------

function readU16(data: Uint8Array, at: number, little: boolean): number {
  if (at < 0 || at + 2 > data.length) throw new Damaged();
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint16(at, little);
}

function readU32(data: Uint8Array, at: number, little: boolean): number {
  if (at < 0 || at + 4 > data.length) throw new Damaged();
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(at, little);
}

function startsWith(data: Uint8Array, at: number, prefix: readonly number[]): boolean {
  return prefix.every((byte, i) => data[at + i] === byte);
}

function ascii(data: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...data.subarray(at, at + length));
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32 } from 'node:zlib';
import { fileTypeFromBuffer } from 'file-type';
import { stripImageMetadata } from '../src/chat/attachments/image-metadata.js';
import {
  ADOBE,
  bytes,
  COMMENT,
  concat,
  count,
  exif,
  gpsLatitude,
  ICC,
  indexOf,
  IPTC,
  JFIF,
  jpeg,
  jpegImage,
  MPF,
  png,
  pngChunk,
  riff,
  riffChunk,
  segment,
  VP8L,
  VP8X_EXIF_XMP,
  XMP,
} from './support/image-fixtures.js';

/** The APP1 a stripped JPEG carries when the photo was not upright: Exif with Orientation only. */
const orientationBlock = (orientation: number) =>
  Uint8Array.from([
    0xff, 0xe1, 0, 34, 0x45, 0x78, 0x69, 0x66, 0, 0, 0x4d, 0x4d, 0, 42, 0, 0, 0, 8,
    0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0,
  ]);

/** What a phone leaves in the file: the GPS latitude (either byte order), the camera, its notes. */
function expectNoPersonalData(data: Uint8Array): void {
  for (const little of [true, false]) expect(indexOf(data, gpsLatitude(little))).toBe(-1);
  for (const text of ['Pixel 9', 'GPSLatitude', 'Downing', 'Paris', 'Photoshop', 'MPF', 'xap/1.0']) {
    expect(indexOf(data, text), text).toBe(-1);
  }
}

describe('stripImageMetadata on JPEG', () => {
  it.each([
    ['big-endian', false],
    ['little-endian', true],
  ])('drops a %s Exif block with GPS and keeps only Orientation 6', async (_order, little) => {
    const photo = jpeg([JFIF, segment(0xe1, exif(6, little)), XMP, ICC, IPTC, COMMENT, ADOBE]);
    const stripped = stripImageMetadata(photo, 'image/jpeg');
    expect(stripped).toEqual(concat([0xff, 0xd8], JFIF, orientationBlock(6), ICC, ADOBE, jpegImage()));
    expectNoPersonalData(stripped);
    expect(count(stripped, 'Exif')).toBe(1);
    expect(await fileTypeFromBuffer(stripped)).toMatchObject({ mime: 'image/jpeg' });
  });

  it('leaves no Exif block at all when the photo was upright', () => {
    const stripped = stripImageMetadata(jpeg([JFIF, segment(0xe1, exif(1, true)), COMMENT]), 'image/jpeg');
    expect(stripped).toEqual(concat([0xff, 0xd8], JFIF, jpegImage()));
  });

  it('puts the orientation block right after SOI when there is no JFIF header', () => {
    const stripped = stripImageMetadata(jpeg([segment(0xe1, exif(8, false)), ICC]), 'image/jpeg');
    expect(stripped).toEqual(concat([0xff, 0xd8], orientationBlock(8), ICC, jpegImage()));
  });

  it('drops multi-picture previews and whatever follows the end of the image', () => {
    const secondImage = jpeg([segment(0xe1, exif(3, true))]);
    const stripped = stripImageMetadata(concat(jpeg([JFIF, MPF]), secondImage), 'image/jpeg');
    expect(stripped).toEqual(concat([0xff, 0xd8], JFIF, jpegImage()));
  });

  it('keeps scan data byte for byte, stuffed bytes and restart markers included', () => {
    const firstScan = concat(segment(0xda, [1, 1, 0, 0, 0x3f, 0]), [0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56]);
    const secondScan = concat(segment(0xda, [1, 1, 0, 0, 0x3f, 0]), [0x3f, 0xff, 0xd9]);
    const tables = jpegImage().subarray(0, indexOf(jpegImage(), [0xff, 0xda]));
    const progressive = concat([0xff, 0xd8], JFIF, COMMENT, tables, firstScan, COMMENT, secondScan);
    const stripped = stripImageMetadata(progressive, 'image/jpeg');
    expect(stripped).toEqual(concat([0xff, 0xd8], JFIF, tables, firstScan, secondScan));
  });

  it('ignores an unreadable Orientation but still drops the block', () => {
    const broken = exif(6, true).slice(0, 20); // IFD0 cut short
    const stripped = stripImageMetadata(jpeg([JFIF, segment(0xe1, broken)]), 'image/jpeg');
    expect(stripped).toEqual(concat([0xff, 0xd8], JFIF, jpegImage()));
  });
});

describe('stripImageMetadata on PNG', () => {
  it('drops text, time and Exif chunks and copies the others with their CRCs', async () => {
    const kept = [pngChunk('iCCP', bytes('icc\0\0profile')), pngChunk('pHYs', [0, 0, 11, 19, 0, 0, 11, 19, 1])];
    const dropped = [
      pngChunk('tEXt', bytes('Comment\0shot at 10 Downing Street')),
      pngChunk('zTXt', bytes('Author\0\0x')),
      pngChunk('iTXt', bytes('XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta>GPSLatitude</x:xmpmeta>')),
      pngChunk('tIME', [7, 234, 12, 3, 17, 0, 0]),
      pngChunk('eXIf', exif(6, false).subarray(6)),
    ];
    const stripped = stripImageMetadata(png([kept[0]!, ...dropped, kept[1]!]), 'image/png');
    expect(stripped).toEqual(png(kept));
    expectNoPersonalData(stripped);
    expect(everyPngCrcValid(stripped)).toBe(true);
    expect(await fileTypeFromBuffer(stripped)).toMatchObject({ mime: 'image/png' });
  });

  it('drops bytes after IEND', () => {
    expect(stripImageMetadata(concat(png(), bytes('tEXtGPS')), 'image/png')).toEqual(png());
  });
});

describe('stripImageMetadata on WebP', () => {
  it('drops EXIF and XMP, clears their VP8X flags and rewrites the RIFF size', async () => {
    const iccp = riffChunk('ICCP', bytes('icc-profile'));
    const photo = riff([VP8X_EXIF_XMP, iccp, VP8L, riffChunk('EXIF', exif(6, true)), riffChunk('XMP ', bytes('<x:xmpmeta>GPSLatitude</x:xmpmeta>'))]);
    const stripped = stripImageMetadata(photo, 'image/webp');
    const vp8x = riffChunk('VP8X', [0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // ICC only
    expect(stripped).toEqual(riff([vp8x, iccp, VP8L]));
    expect(new DataView(stripped.buffer, stripped.byteOffset).getUint32(4, true)).toBe(stripped.length - 8);
    expectNoPersonalData(stripped);
    expect(await fileTypeFromBuffer(stripped)).toMatchObject({ mime: 'image/webp' });
  });
});

describe('stripImageMetadata leaves alone what it does not rewrite', () => {
  it('answers a GIF unchanged', () => {
    const gif = concat(bytes('GIF89a'), [1, 0, 1, 0, 0, 0, 0, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b]);
    expect(stripImageMetadata(gif, 'image/gif')).toEqual(gif);
  });

  it.each([
    ['a JPEG whose segment runs past the end', 'image/jpeg', concat([0xff, 0xd8], segment(0xe1, exif(6, true)).subarray(0, 30))],
    ['a JPEG with garbage between segments', 'image/jpeg', concat([0xff, 0xd8, 0x00, 0x01], JFIF)],
    ['a PNG chunk longer than the file', 'image/png', concat(png().subarray(0, 8), [0, 0, 1, 0], bytes('tEXtabc'))],
    ['a WebP chunk longer than the file', 'image/webp', riff([concat(bytes('EXIF'), [0xff, 0xff, 0, 0], bytes('abc'))])],
    ['a type it does not know', 'application/pdf', bytes('%PDF-1.4')],
  ])('answers %s unchanged', (_case, type, data) => {
    expect(stripImageMetadata(data, type)).toBe(data);
  });
});

describe('stripImageMetadata properties', () => {
  const types = fc.constantFrom('image/jpeg', 'image/png', 'image/webp', 'image/gif');
  const magic = fc.constantFrom<readonly number[]>(
    [], [0xff, 0xd8], [0xff, 0xd8, 0xff, 0xe1], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    [0x52, 0x49, 0x46, 0x46, 0xff, 0, 0, 0, 0x57, 0x45, 0x42, 0x50],
  );

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(types, magic, fc.uint8Array({ maxLength: 400 }), (type, head, tail) => {
        expect(stripImageMetadata(concat(head, tail), type)).toBeInstanceOf(Uint8Array);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on a valid image cut or corrupted anywhere', () => {
    const photo = jpeg([JFIF, segment(0xe1, exif(6, true)), ICC]);
    fc.assert(
      fc.property(fc.nat(photo.length), fc.nat(photo.length - 1), fc.integer({ min: 0, max: 255 }), (cut, at, value) => {
        const damaged = photo.slice(0, Math.max(cut, at + 1));
        damaged[at] = value;
        expect(stripImageMetadata(damaged, 'image/jpeg')).toBeInstanceOf(Uint8Array);
      }),
      { numRuns: 2000 },
    );
  });

  const jpegHeader = fc.tuple(
    fc.integer({ min: 1, max: 8 }),
    fc.boolean(),
    fc.boolean(),
    fc.shuffledSubarray([XMP, ICC, IPTC, COMMENT, ADOBE, MPF]),
  );

  it('leaves a JPEG with no metadata but the orientation block, still a JPEG, and stable', async () => {
    await fc.assert(
      fc.asyncProperty(jpegHeader, async ([orientation, little, withJfif, others]) => {
        const photo = jpeg([...(withJfif ? [JFIF] : []), segment(0xe1, exif(orientation, little)), ...others]);
        const stripped = stripImageMetadata(photo, 'image/jpeg');
        expectNoPersonalData(stripped);
        expect(count(stripped, 'Exif')).toBe(orientation === 1 ? 0 : 1);
        if (orientation !== 1) expect(indexOf(stripped, orientationBlock(orientation))).toBeGreaterThan(0);
        expect(count(stripped, 'ICC_PROFILE')).toBe(others.includes(ICC) ? 1 : 0);
        expect(indexOf(stripped, jpegImage())).toBe(stripped.length - jpegImage().length);
        expect(stripImageMetadata(stripped, 'image/jpeg')).toEqual(stripped);
        expect(await fileTypeFromBuffer(stripped)).toMatchObject({ mime: 'image/jpeg' });
      }),
      { numRuns: 200 },
    );
  });

  const text = fc.string({ maxLength: 40 }).map((s) => bytes(`Comment\0${s}`));
  const pngMetadata = fc.array(
    fc.oneof(
      text.map((t) => pngChunk('tEXt', t)),
      text.map((t) => pngChunk('iTXt', t)),
      fc.constant(pngChunk('eXIf', exif(3, true).subarray(6))),
      fc.constant(pngChunk('tIME', [7, 234, 1, 1, 0, 0, 0])),
    ),
    { maxLength: 6 },
  );

  it('leaves a PNG with none of its text, time or Exif chunks, still a PNG', async () => {
    await fc.assert(
      fc.asyncProperty(pngMetadata, async (chunks) => {
        const stripped = stripImageMetadata(png(chunks), 'image/png');
        expect(stripped).toEqual(png());
        expect(await fileTypeFromBuffer(stripped)).toMatchObject({ mime: 'image/png' });
      }),
      { numRuns: 100 },
    );
  });

  it('leaves a WebP with no EXIF or XMP chunk, still a WebP', async () => {
    const extra = fc.shuffledSubarray([riffChunk('EXIF', exif(6, false)), riffChunk('XMP ', bytes('<x/>')), riffChunk('EXIF', [1, 2, 3])]);
    await fc.assert(
      fc.asyncProperty(extra, async (chunks) => {
        const stripped = stripImageMetadata(riff([VP8X_EXIF_XMP, VP8L, ...chunks]), 'image/webp');
        expect(count(stripped, 'EXIF') + count(stripped, 'XMP ')).toBe(0);
        expect(stripped[20]! & 0x0c).toBe(0);
        expect(await fileTypeFromBuffer(stripped)).toMatchObject({ mime: 'image/webp' });
      }),
      { numRuns: 50 },
    );
  });
});

function everyPngCrcValid(data: Uint8Array): boolean {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let pos = 8; pos < data.length; ) {
    const length = view.getUint32(pos);
    if (crc32(data.subarray(pos + 4, pos + 8 + length)) !== view.getUint32(pos + 8 + length)) return false;
    pos += 12 + length;
  }
  return true;
}

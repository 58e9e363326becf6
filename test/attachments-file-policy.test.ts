import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ALLOWED_TYPES,
  contentDisposition,
  inspectFile,
  isRasterImage,
  sanitizeFileName,
} from '../src/chat/attachments/file-policy.js';
import {
  bytes,
  compoundFile,
  concat,
  jpeg,
  JFIF,
  openDocument,
  openXml,
  png,
  pngChunk,
  riff,
  storedZip,
  VP8L,
} from './support/image-fixtures.js';

const OPENXML = 'application/vnd.openxmlformats-officedocument';
const ODF = 'application/vnd.oasis.opendocument';
const GIF = concat(bytes('GIF89a'), [1, 0, 1, 0, 0, 0, 0, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b]);
const PDF = bytes('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
// eslint-disable-next-line no-control-regex -- the characters a name must not contain
const UNSAFE_IN_NAME = /[\u0000-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069<>:"/\\|?*]/u;

describe('inspectFile accepts the allowed types, detected from the bytes', () => {
  it.each([
    ['png', png(), 'shot.png', 'image/png', 'shot.png', true],
    ['jpeg', jpeg([JFIF]), 'IMG_0042.JPEG', 'image/jpeg', 'IMG_0042.JPEG', true],
    ['gif', GIF, 'dance.gif', 'image/gif', 'dance.gif', true],
    ['webp', riff([VP8L]), 'sticker.webp', 'image/webp', 'sticker.webp', true],
    ['pdf', PDF, 'invoice.pdf', 'application/pdf', 'invoice.pdf', false],
    ['text', bytes('Order #1042 arrived broken.\n'), 'notes.txt', 'text/plain', 'notes.txt', false],
    ['csv', bytes('id,name\n1,Zoë\n'), 'export.csv', 'text/plain', 'export.csv', false],
    ['docx', openXml(`${OPENXML}.wordprocessingml.document`, 'word/document.xml'), 'cv.docx', `${OPENXML}.wordprocessingml.document`, 'cv.docx', false],
    ['xlsx', openXml(`${OPENXML}.spreadsheetml.sheet`, 'xl/workbook.xml'), 'q3.xlsx', `${OPENXML}.spreadsheetml.sheet`, 'q3.xlsx', false],
    ['pptx', openXml(`${OPENXML}.presentationml.presentation`, 'ppt/presentation.xml'), 'deck.pptx', `${OPENXML}.presentationml.presentation`, 'deck.pptx', false],
    ['odt', openDocument(`${ODF}.text`), 'letter.odt', `${ODF}.text`, 'letter.odt', false],
    ['ods', openDocument(`${ODF}.spreadsheet`), 'sums.ods', `${ODF}.spreadsheet`, 'sums.ods', false],
    ['odp', openDocument(`${ODF}.presentation`), 'talk.odp', `${ODF}.presentation`, 'talk.odp', false],
    ['old Office', compoundFile(), 'budget.xls', 'application/x-cfb', 'budget.xls', false],
    ['zip', storedZip([['a.txt', 'hello']]), 'logs.zip', 'application/zip', 'logs.zip', false],
  ])('%s', async (_kind, data, claimed, type, name, image) => {
    expect(await inspectFile(data, claimed)).toEqual({ ok: true, type, name, image });
  });

  it('treats an animated PNG as image/png', async () => {
    const apng = png([pngChunk('acTL', [0, 0, 0, 1, 0, 0, 0, 0])]);
    expect(await inspectFile(apng, 'spinner.png')).toMatchObject({ ok: true, type: 'image/png', image: true });
  });

  it('lists exactly the types it accepts in ALLOWED_TYPES', () => {
    expect([...ALLOWED_TYPES].sort()).toEqual(
      [
        'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain',
        `${OPENXML}.wordprocessingml.document`, `${OPENXML}.spreadsheetml.sheet`,
        `${OPENXML}.presentationml.presentation`, `${ODF}.text`, `${ODF}.spreadsheet`,
        `${ODF}.presentation`, 'application/x-cfb', 'application/zip',
      ].sort(),
    );
  });

  it('calls only png, jpeg, gif and webp raster images', () => {
    expect(ALLOWED_TYPES.filter(isRasterImage).sort()).toEqual(['image/gif', 'image/jpeg', 'image/png', 'image/webp']);
    expect(isRasterImage('image/svg+xml')).toBe(false);
  });
});

describe('inspectFile refuses what a browser could run, whatever the name says', () => {
  it.each([
    ['HTML named .png', '<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>', 'cat.png'],
    ['SVG with a script', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'logo.svg'],
    ['SVG named .png', '<svg onload="alert(1)"/>', 'logo.png'],
    ['XML', '<?xml version="1.0"?><x:xmpmeta/>', 'data.txt'],
    ['a comment', '<!-- hi --><p>x</p>', 'a.txt'],
    ['markup after a BOM and blank lines', '\uFEFF \r\n\t<HTML><iframe src=//evil>', 'readme.txt'],
    ['upper-case script', '  <SCRIPT>alert(1)</SCRIPT>', 'a.txt'],
  ])('%s', async (_kind, text, claimed) => {
    expect(await inspectFile(bytes(text), claimed)).toEqual({ ok: false, message: expect.any(String) });
  });

  it.each([
    ['a Windows program', concat(bytes('MZ'), new Uint8Array(200))],
    ['an ELF binary', concat([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], new Uint8Array(100))],
    ['an MP4 video', concat([0, 0, 0, 0x18], bytes('ftypmp42'), new Uint8Array(16))],
    ['a macro-enabled Word file', openXml('application/vnd.ms-word.document.macroEnabled', 'word/document.xml')],
    ['bytes with a NUL', bytes('hello\0world')],
    ['invalid UTF-8', Uint8Array.from([0x68, 0x69, 0xc3, 0x28])],
    ['an empty file', new Uint8Array(0)],
  ])('%s', async (_kind, data) => {
    expect((await inspectFile(data, 'file.txt')).ok).toBe(false);
  });

  it('accepts text that merely mentions a tag later on', async () => {
    expect(await inspectFile(bytes('Use <b>bold</b> in replies.\n'), 'tip.txt')).toMatchObject({ ok: true, type: 'text/plain' });
  });

  it('names a PDF sent as x.exe x.exe.pdf', async () => {
    expect(await inspectFile(PDF, 'x.exe')).toEqual({ ok: true, type: 'application/pdf', name: 'x.exe.pdf', image: false });
  });

  it('gives text named like an image a .txt extension', async () => {
    expect(await inspectFile(bytes('just words'), 'evil.png')).toMatchObject({ type: 'text/plain', name: 'evil.png.txt' });
  });

  it('keeps old Office names but not an installer name on a compound file', async () => {
    expect(await inspectFile(compoundFile(), 'setup.msi')).toMatchObject({ ok: true, name: 'setup.msi.cfb' });
    expect(await inspectFile(compoundFile(), 'minutes.doc')).toMatchObject({ ok: true, name: 'minutes.doc' });
  });

  it('never throws, whatever the bytes and the name', async () => {
    const magic = fc.constantFrom<readonly number[]>(
      [], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [0xff, 0xd8, 0xff], [0x50, 0x4b, 3, 4],
      [0x52, 0x49, 0x46, 0x46, 9, 0, 0, 0, 0x57, 0x45, 0x42, 0x50], [0x25, 0x50, 0x44, 0x46], [0xef, 0xbb, 0xbf],
    );
    await fc.assert(
      fc.asyncProperty(magic, fc.uint8Array({ maxLength: 600 }), fc.string(), async (head, tail, name) => {
        const verdict = await inspectFile(concat(head, tail), name);
        if (verdict.ok) expect(ALLOWED_TYPES).toContain(verdict.type);
      }),
      { numRuns: 400 },
    );
  });
});

describe('sanitizeFileName', () => {
  it.each([
    ['path traversal', '../../etc/passwd', 'txt', 'passwd.txt'],
    ['a Windows path', 'C:\\Users\\ana\\Desktop\\photo.jpg', 'jpg', 'photo.jpg'],
    ['a right-to-left override', '\u202Egpj.exe', 'jpg', 'gpj.exe.jpg'],
    ['bidi isolates and marks', 'in\u2066voice\u2069\u200F.pdf', 'pdf', 'invoice.pdf'],
    ['control characters', 'a\u0000b\r\nc\u0007\u009b.txt', 'txt', 'abc.txt'],
    ['characters file systems forbid', 'a<b>:c"d|e?f*.pdf', 'pdf', 'abcdef.pdf'],
    ['leading and trailing dots and spaces', ' ..report.pdf. ', 'pdf', 'report.pdf'],
    ['an empty name', '', 'pdf', 'file.pdf'],
    ['only dots', '...', 'png', 'file.png'],
    ['a directory', 'photos/', 'png', 'file.png'],
    ['an extension in capitals', 'HOLIDAY.JPG', 'jpg', 'HOLIDAY.JPG'],
    ['another name of the same type', 'scan.jpeg', 'jpg', 'scan.jpeg'],
    ['a mismatched extension', 'evil.png', 'txt', 'evil.png.txt'],
    ['a name Windows reserves', 'CON.txt', 'txt', '_CON.txt'],
    ['no extension', 'README', 'txt', 'README.txt'],
    ['non-Latin letters', 'Отчёт 2026.pdf', 'pdf', 'Отчёт 2026.pdf'],
  ])('%s', (_case, name, ext, expected) => {
    expect(sanitizeFileName(name, ext)).toBe(expected);
  });

  it('cuts a 500-character name to 120 characters, keeping the extension', () => {
    const name = sanitizeFileName(`${'a'.repeat(496)}.pdf`, 'pdf');
    expect(name).toBe(`${'a'.repeat(116)}.pdf`);
    const emoji = sanitizeFileName('😀'.repeat(500), 'png');
    expect([...emoji]).toHaveLength(120);
    expect(emoji.endsWith('😀.png')).toBe(true);
  });

  it('always answers a short, safe, idempotent name with the extension', () => {
    const ext = fc.constantFrom('png', 'jpg', 'txt', 'pdf', 'docx', 'cfb');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), ext, (raw, detected) => {
        const name = sanitizeFileName(raw, detected);
        expect([...name].length).toBeLessThanOrEqual(120);
        expect(name).not.toMatch(UNSAFE_IN_NAME);
        expect(name).not.toMatch(/^[\s.]|[\s.]$/u);
        expect(name).toMatch(/.\.[A-Za-z]+$/);
        expect(name).not.toMatch(/[\uD800-\uDFFF]/u);
        expect(sanitizeFileName(name, detected)).toBe(name);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII name in both forms', () => {
    expect(contentDisposition('report.pdf', false)).toBe(`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
    expect(contentDisposition('shot.png', true)).toBe(`inline; filename="shot.png"; filename*=UTF-8''shot.png`);
  });

  it('replaces what old clients misread in the fallback and percent-encodes the exact name', () => {
    expect(contentDisposition('Prüfbericht "März" 100%.pdf', false)).toBe(
      `attachment; filename="Pr_fbericht _M_rz_ 100_.pdf"; filename*=UTF-8''Pr%C3%BCfbericht%20%22M%C3%A4rz%22%20100%25.pdf`,
    );
    expect(contentDisposition("it's (1)*.txt", false)).toContain(`filename*=UTF-8''it%27s%20%281%29%2A.txt`);
  });

  it('survives a name with a lone surrogate', () => {
    expect(contentDisposition('a\uD800b.txt', false)).toBe(`attachment; filename="a_b.txt"; filename*=UTF-8''a_b.txt`);
    expect(sanitizeFileName('a\uDC00b.txt', 'txt')).toBe('ab.txt');
  });

  it('is always one ASCII header line that decodes back to the name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 120 }), fc.boolean(), (name, inline) => {
        const header = contentDisposition(name, inline);
        expect(header).toMatch(/^[\x20-\x7E]*$/);
        const match = /^(inline|attachment); filename="([^"\\]*)"; filename\*=UTF-8''([A-Za-z0-9!#$&+\-.^_`|~%]*)$/.exec(header);
        expect(match).not.toBeNull();
        expect(decodeURIComponent(match?.[3] ?? '')).toBe(name);
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * What may be uploaded, and how it is named and served. The type always comes from the bytes,
 * never from the name the sender chose; see docs/security.md#attachments.
 */
import { fileTypeFromBuffer } from 'file-type';

export type FileVerdict =
  | { ok: true; type: string; name: string; image: boolean }
  | { ok: false; message: string };

interface Kind {
  /** Extension given to a name that does not already carry one of `aliases`. */
  readonly ext: string;
  /** Extensions a sender's name may keep for this type (lower case). */
  readonly aliases: readonly string[];
}

const OPENXML = 'application/vnd.openxmlformats-officedocument';
const ODF = 'application/vnd.oasis.opendocument';

const KINDS: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ['image/png', { ext: 'png', aliases: ['png', 'apng'] }],
  ['image/jpeg', { ext: 'jpg', aliases: ['jpg', 'jpeg', 'jpe', 'jfif'] }],
  ['image/gif', { ext: 'gif', aliases: ['gif'] }],
  ['image/webp', { ext: 'webp', aliases: ['webp'] }],
  ['application/pdf', { ext: 'pdf', aliases: ['pdf'] }],
  // Text keeps only names that no program runs or renders (`page.html` becomes `page.html.txt`).
  ['text/plain', { ext: 'txt', aliases: ['txt', 'text', 'csv', 'tsv', 'log', 'md', 'json'] }],
  [`${OPENXML}.wordprocessingml.document`, { ext: 'docx', aliases: ['docx'] }],
  [`${OPENXML}.spreadsheetml.sheet`, { ext: 'xlsx', aliases: ['xlsx'] }],
  [`${OPENXML}.presentationml.presentation`, { ext: 'pptx', aliases: ['pptx'] }],
  [`${ODF}.text`, { ext: 'odt', aliases: ['odt'] }],
  [`${ODF}.spreadsheet`, { ext: 'ods', aliases: ['ods'] }],
  [`${ODF}.presentation`, { ext: 'odp', aliases: ['odp'] }],
  // Old Office files are all "compound files"; so are .msi installers, which must not keep their name.
  ['application/x-cfb', { ext: 'cfb', aliases: ['doc', 'xls', 'ppt', 'cfb'] }],
  ['application/zip', { ext: 'zip', aliases: ['zip'] }],
]);

const ALIASES: ReadonlyMap<string, readonly string[]> = new Map(
  [...KINDS.values()].map((kind) => [kind.ext, kind.aliases]),
);

/** Mime types accepted as attachments (detected from content, never from the name). */
export const ALLOWED_TYPES: readonly string[] = [...KINDS.keys()];

const RASTER = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** True for raster images shown inline (png, jpeg, gif, webp). */
export function isRasterImage(type: string): boolean {
  return RASTER.has(type);
}

const REFUSED = 'This type of file is not accepted.';
const MAX_NAME = 120;

/** Decides from the bytes whether a file is accepted, its type and its safe name. */
export async function inspectFile(data: Uint8Array, claimedName: string): Promise<FileVerdict> {
  if (data.length === 0) return { ok: false, message: 'The file is empty.' };
  const type = await detectType(data);
  const kind = type === undefined ? undefined : KINDS.get(type);
  if (type === undefined || kind === undefined) return { ok: false, message: REFUSED };
  return { ok: true, type, name: sanitizeFileName(claimedName, kind.ext), image: isRasterImage(type) };
}

async function detectType(data: Uint8Array): Promise<string | undefined> {
  let detected: { mime: string } | undefined;
  try {
    detected = await fileTypeFromBuffer(data);
  } catch {
    return undefined; // a damaged container is refused, never a 5xx
  }
  if (detected === undefined) return isPlainText(data) ? 'text/plain' : undefined;
  // Animated PNG is a PNG to every browser; one type keeps the allow-list short.
  return detected.mime === 'image/apng' ? 'image/png' : detected.mime;
}

const DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Valid UTF-8, no NUL, and not something a browser could take for HTML, SVG or XML. */
function isPlainText(data: Uint8Array): boolean {
  if (data.includes(0)) return false;
  let text: string;
  try {
    text = DECODER.decode(data);
  } catch {
    return false;
  }
  return !looksLikeMarkup(text);
}

/** A tag, comment, doctype or processing instruction at the start (after BOM and spaces). */
function looksLikeMarkup(text: string): boolean {
  return /^[\uFEFF\s]*<[!?/a-z]/i.test(text);
}

// Control characters, bidi marks and overrides, and characters some file systems forbid.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF<>:"|?*]/g;
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A name safe to store, show and offer for download: basename only, no control or bidi
 * characters, at most 120 characters, ending in an extension that matches the detected type.
 */
export function sanitizeFileName(name: string, detectedExt: string): string {
  const base = name.normalize('NFC').split(/[/\\]/).pop() ?? '';
  const cleaned = trimEnds(base.replace(UNSAFE, '').replace(LONE_SURROGATE, ''));
  const dot = cleaned.lastIndexOf('.');
  const own = dot > 0 ? cleaned.slice(dot + 1).toLowerCase() : '';
  const aliases = ALIASES.get(detectedExt) ?? [detectedExt];
  const keepOwn = own !== '' && aliases.includes(own);
  const ext = keepOwn ? cleaned.slice(dot + 1) : detectedExt;
  let stem = keepOwn ? cleaned.slice(0, dot) : cleaned;
  const room = MAX_NAME - (ext === '' ? 0 : ext.length + 1);
  stem = trimEnds([...stem].slice(0, Math.max(room, 1)).join(''));
  if (stem === '') stem = 'file';
  if (RESERVED.test(stem)) stem = `_${stem}`;
  return ext === '' ? stem : `${stem}.${ext}`;
}

function trimEnds(value: string): string {
  return value.replace(/^[\s.]+|[\s.]+$/gu, '');
}

/**
 * A Content-Disposition value (RFC 6266): a quoted ASCII `filename` for old clients and the
 * exact name in `filename*` (RFC 5987).
 */
export function contentDisposition(name: string, inline: boolean): string {
  const fallback = name.replace(/[^\x20-\x7E]|["\\%]/g, '_');
  const exact = encodeURIComponent(name.replace(LONE_SURROGATE, '_')).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${inline ? 'inline' : 'attachment'}; filename="${fallback}"; filename*=UTF-8''${exact}`;
}

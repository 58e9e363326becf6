/** What the widget checks before a file goes anywhere (docs/widget.md, "Attachments"). DOM-free. */
import type { AttachmentLimits } from '../types.js';

/** Why a file is refused before upload: over the size limit, or not a kind the server accepts. */
export type Refusal = 'size' | 'type';

/** Types browsers report under another name than the one the server detects from the content. */
const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'application/msword': 'application/x-cfb',
  'application/vnd.ms-excel': 'application/x-cfb',
  'application/vnd.ms-powerpoint': 'application/x-cfb',
  'application/x-zip-compressed': 'application/zip',
  'application/json': 'text/plain',
};

/**
 * Refuses early what the server would refuse for sure: too large, or a declared type outside its
 * list (text of any kind but markup counts as `text/plain`). An unknown type (empty, or
 * `application/octet-stream`) goes to the server, which decides from the content; so does
 * everything while the limits are not known yet.
 */
export function refusal(file: { size: number; type: string }, limits: AttachmentLimits | undefined): Refusal | undefined {
  if (!limits) return undefined;
  if (file.size > limits.max_bytes) return 'size';
  const type = file.type.toLowerCase().split(';')[0]?.trim() ?? '';
  if (type === '' || type === 'application/octet-stream') return undefined;
  const named = ALIASES[type] ?? (type.startsWith('text/') && !/html|xml/.test(type) ? 'text/plain' : type);
  return limits.types.includes(named) ? undefined : 'type';
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `screenshot-YYYYMMDD-HHMMSS.png` in local time, with the extension of `type`. */
export function screenshotName(at: Date, type: string): string {
  const ext = { 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' }[type] ?? 'png';
  const date = `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}`;
  return `screenshot-${date}-${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}.${ext}`;
}

/** The name a file is sent with: a pasted image without a name of its own (browsers call it `image.png`) becomes a screenshot. */
export function fileName(file: { name: string; type: string }, pasted: boolean, at: Date): string {
  const generic = file.name.trim() === '' || /^image\.\w+$/i.test(file.name);
  return pasted && generic && file.type.startsWith('image/') ? screenshotName(at, file.type) : file.name || 'file';
}

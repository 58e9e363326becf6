/** A file of a message as emails name it: never its URL, which expires long before an email is read. */
export interface AttachedFile {
  name: string;
  /** Bytes. */
  size: number;
}

const KIB = 1024;
const MIB = 1024 * 1024;

/** "512 bytes", "12 KB", "1.4 MB": sizes as people read them. */
export function fileSize(bytes: number): string {
  if (bytes < KIB) return bytes === 1 ? '1 byte' : `${bytes} bytes`;
  if (bytes < MIB) return `${Math.round(bytes / KIB)} KB`;
  return `${(bytes / MIB).toFixed(1)} MB`;
}

/**
 * A message's text as emails show it: the body, then one line "Attachment: NAME (SIZE)" per
 * file. A message that is a file alone reads as its attachment lines.
 */
export function withAttachments(body: string, files: readonly AttachedFile[] | undefined): string {
  const lines = (files ?? []).map((f) => `Attachment: ${f.name} (${fileSize(f.size)})`);
  return [body, ...lines].filter((text) => text !== '').join('\n');
}
